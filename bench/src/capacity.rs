//! The capacity DynamoDB on-demand would bill for the requests a handler
//! made, computed from the sizes of the items read and written (the
//! emulator's `ConsumedCapacity` is not faithful). The rules, from
//! DynamoDB's documentation:
//! - a read unit per 4 KB read (a Query sums its items first), half for an
//!   eventually consistent read; GSI queries are eventually consistent;
//! - a write unit per 1 KB written, for the table and for every GSI the
//!   item is in (all indexes here project every attribute);
//! - transactions cost twice, for reads and writes alike.

use serde_json::Value;

use aduan_shared::store::keys::INDEXES;

/// Read and write request units, as on-demand bills them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Units {
    pub read: f64,
    pub write: f64,
}

impl std::ops::AddAssign for Units {
    fn add_assign(&mut self, other: Self) {
        self.read += other.read;
        self.write += other.write;
    }
}

/// An item written whose size is only known once it is read back
/// (UpdateItem, a transaction's Update or Delete): its key, and what a unit
/// of its size costs.
#[derive(Debug, Clone)]
pub struct Pending {
    pub key: Value,
    pub factor: f64,
}

/// The units of one DynamoDB request and its answer; writes of items whose
/// size the request does not show are returned as `Pending`.
pub fn units(operation: &str, request: &Value, response: &Value) -> (Units, Vec<Pending>) {
    let mut units = Units::default();
    let mut pending = Vec::new();
    let consistent = request["ConsistentRead"].as_bool().unwrap_or(false);
    let read_factor = if consistent { 1.0 } else { 0.5 };
    match operation {
        "GetItem" => units.read += read_units(item_size(&response["Item"])) * read_factor,
        "BatchGetItem" => {
            for (table, items) in obj(&response["Responses"]) {
                let factor = if request["RequestItems"][table]["ConsistentRead"].as_bool() == Some(true) {
                    1.0
                } else {
                    0.5
                };
                for item in items.as_array().into_iter().flatten() {
                    units.read += read_units(item_size(item)) * factor;
                }
            }
        }
        "Query" | "Scan" => {
            let total: usize = response["Items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(item_size)
                .sum();
            // An empty result still costs the minimum read.
            units.read += read_units(total.max(1)) * read_factor;
        }
        "PutItem" => units.write += write_units_with_indexes(&request["Item"]),
        "UpdateItem" | "DeleteItem" => pending.push(Pending {
            key: request["Key"].clone(),
            factor: 1.0,
        }),
        "TransactWriteItems" => {
            for action in request["TransactItems"].as_array().into_iter().flatten() {
                if let Some(item) = action.get("Put") {
                    units.write += 2.0 * write_units_with_indexes(&item["Item"]);
                } else if let Some(check) = action.get("ConditionCheck") {
                    pending.push(Pending {
                        key: check["Key"].clone(),
                        factor: 2.0,
                    });
                } else if let Some(change) = action.get("Update").or_else(|| action.get("Delete")) {
                    pending.push(Pending {
                        key: change["Key"].clone(),
                        factor: 2.0,
                    });
                }
            }
        }
        "TransactGetItems" => {
            for item in response["Responses"].as_array().into_iter().flatten() {
                units.read += 2.0 * read_units(item_size(&item["Item"]));
            }
        }
        "BatchWriteItem" => {
            for requests in obj(&request["RequestItems"]).map(|(_, r)| r) {
                for put in requests.as_array().into_iter().flatten() {
                    units.write += write_units_with_indexes(&put["PutRequest"]["Item"]);
                }
            }
        }
        _ => {}
    }
    (units, pending)
}

/// The write units of an item now stored (or, if gone, one unit: what a
/// delete of a small item costs).
pub fn pending_units(pending: &Pending, stored: Option<&Value>) -> f64 {
    match stored {
        Some(item) => pending.factor * write_units_with_indexes(item),
        None => pending.factor,
    }
}

fn obj(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flatten()
}

fn read_units(bytes: usize) -> f64 {
    bytes.div_ceil(4096).max(1) as f64
}

fn write_units_with_indexes(item: &Value) -> f64 {
    let per_copy = item_size(item).div_ceil(1024).max(1) as f64;
    let copies = 1 + INDEXES
        .iter()
        .filter(|index| item.get(index.pk).is_some())
        .count();
    per_copy * copies as f64
}

/// An item's size as DynamoDB counts it: attribute names plus values.
pub fn item_size(item: &Value) -> usize {
    obj(item)
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &Value) -> usize {
    let Some((kind, inner)) = value.as_object().and_then(|o| o.iter().next()) else {
        return 0;
    };
    let text = || inner.as_str().unwrap_or_default();
    match kind.as_str() {
        "S" => text().len(),
        // Numbers: about one byte per two significant digits, plus one.
        "N" => {
            text()
                .trim_start_matches(['-', '0'])
                .replace('.', "")
                .len()
                .div_ceil(2)
                + 1
        }
        "B" => text().len() * 3 / 4,
        "BOOL" | "NULL" => 1,
        "SS" | "NS" | "BS" => inner
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap_or_default().len())
            .sum(),
        "L" => {
            3 + inner
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| 1 + value_size(v))
                .sum::<usize>()
        }
        "M" => {
            3 + obj(inner)
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_count_names_and_values() {
        let item = json!({"PK": {"S": "CASE#1"}, "n": {"N": "12345"}, "ok": {"BOOL": true}});
        assert_eq!(item_size(&item), 2 + 6 + 1 + 4 + 2 + 1);
    }

    #[test]
    fn a_transactional_put_costs_twice_per_copy_in_each_index() {
        let item = json!({"PK": {"S": "CASE#1"}, "SK": {"S": "CASE"}, "TimePK": {"S": "OPEN"}, "KotaPK": {"S": "k"}});
        let request = json!({"TransactItems": [{"Put": {"Item": item}}]});
        let (units, pending) = units("TransactWriteItems", &request, &json!({}));
        assert_eq!(units.write, 2.0 * 3.0);
        assert!(pending.is_empty());
    }

    #[test]
    fn a_query_rounds_its_items_total_up_to_4_kb_once() {
        let big = json!({"d": {"S": "x".repeat(3000)}});
        let response = json!({"Items": [big.clone(), big]});
        let (units, _) = units("Query", &json!({}), &response);
        assert_eq!(units.read, 1.0);
    }
}

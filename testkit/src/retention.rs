//! What the emulator's table holds of reporters' contacts, read from the
//! whole table (a Scan: tests only), so that a test checks every item that
//! holds a contact, not only the ones the code is known to write.

use std::collections::BTreeMap;

/// Every item with a sealed contact (`contact`), by `PK`, with its TTL
/// attribute (`expires_at`, epoch seconds) if it has one.
pub async fn contact_items(sdk: &aws_config::SdkConfig, table: &str) -> BTreeMap<String, Option<i64>> {
    let mut found = BTreeMap::new();
    for item in crate::scan_table(sdk, table).await {
        if !item.contains_key("contact") {
            continue;
        }
        let pk = item["PK"].as_s().expect("PK is text").clone();
        let expires = item.get("expires_at").map(|v| {
            v.as_n()
                .expect("expires_at is a number")
                .parse()
                .expect("whole seconds")
        });
        found.insert(pk, expires);
    }
    found
}

//! The table's definition as the code expects it. template.yaml declares the
//! same (a test compares the two); tests create their own tables from this.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

use super::error::StoreError;
use super::keys::{self, Index};

/// Every key attribute of the table and its indexes, each once.
pub fn key_attributes() -> Vec<&'static str> {
    let mut names = vec![keys::PK, keys::SK];
    for index in keys::INDEXES {
        for name in [index.pk, index.sk] {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .expect("name and key type are set")
}

fn gsi(index: Index) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name(index.name)
        .key_schema(key(index.pk, KeyType::Hash))
        .key_schema(key(index.sk, KeyType::Range))
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .expect("name and key schema are set")
}

/// Creates the table, on demand and with TTL, as template.yaml declares it.
pub async fn create_table(client: &Client, table: &str) -> Result<(), StoreError> {
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(keys::PK, KeyType::Hash))
        .key_schema(key(keys::SK, KeyType::Range));
    for name in key_attributes() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("name and type are set"),
        );
    }
    for index in keys::INDEXES {
        request = request.global_secondary_indexes(gsi(index));
    }
    request.send().await.map_err(StoreError::from_sdk)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(keys::EXPIRES_AT)
                .enabled(true)
                .build()
                .expect("name and flag are set"),
        )
        .send()
        .await
        .map_err(StoreError::from_sdk)?;
    Ok(())
}

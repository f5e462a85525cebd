//! `aduan-admin units`: a kelurahan's RWs and RTs, straight in the table
//! (the same store operations as the officials' API's `/units` routes).
//! A head's number is sealed with the contact key and never printed.

use std::path::PathBuf;

use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions, Node, NodeKind, Unit, UnitPath};
use aduan_shared::domain::reporter::ContactCipher;
use aduan_shared::store::{Store, UnitHead};
use chrono::Utc;

use crate::AdminError;

/// Who the table records as having written: the tool, not an official.
pub const WRITER: &str = "aduan-admin";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitsCommand {
    List(JurisdictionPath),
    Add(Unit),
    Remove(UnitPath),
    Import(JurisdictionPath, PathBuf),
}

fn usage(message: impl Into<String>) -> AdminError {
    AdminError::Usage(message.into())
}

fn kelurahan<'a>(tree: &'a Jurisdictions, raw: &str) -> Result<&'a Node, AdminError> {
    JurisdictionPath::parse(raw)
        .ok()
        .and_then(|path| tree.node(&path))
        .filter(|node| node.kind == NodeKind::Kelurahan)
        .ok_or_else(|| AdminError::Invalid(format!("{raw:?} is not a kelurahan of the jurisdiction tree")))
}

fn unit_path(tree: &Jurisdictions, raw: &str) -> Result<UnitPath, AdminError> {
    JurisdictionPath::parse(raw)
        .ok()
        .and_then(|path| UnitPath::of(tree, &path))
        .ok_or_else(|| {
            AdminError::Invalid(format!(
                "{raw:?} is not an RW or RT of a kelurahan (KELURAHAN/rw-03, KELURAHAN/rw-03/rt-01)"
            ))
        })
}

/// The arguments after `units`.
pub fn parse(args: &[String], tree: &Jurisdictions) -> Result<UnitsCommand, AdminError> {
    match args {
        [list, kel] if list == "list" => Ok(UnitsCommand::List(kelurahan(tree, kel)?.path.clone())),
        [remove, unit] if remove == "remove" => Ok(UnitsCommand::Remove(unit_path(tree, unit)?)),
        [import, kel, file] if import == "import" => Ok(UnitsCommand::Import(
            kelurahan(tree, kel)?.path.clone(),
            PathBuf::from(file),
        )),
        [add, unit, rest @ ..] if add == "add" => {
            let path = unit_path(tree, unit)?;
            let (mut head, mut whatsapp) = (None, None);
            let mut it = rest.iter();
            while let Some(flag) = it.next() {
                let value = it.next().ok_or_else(|| usage(format!("{flag} needs a value")))?;
                match flag.as_str() {
                    "--head" => head = Some(value.clone()),
                    "--whatsapp" => whatsapp = Some(value.clone()),
                    other => return Err(usage(format!("unknown argument {other:?}"))),
                }
            }
            let head = head.ok_or_else(|| usage("--head NAME is required"))?;
            Unit::parse(path, &head, whatsapp.as_deref())
                .map(UnitsCommand::Add)
                .map_err(|e| AdminError::Invalid(e.to_string()))
        }
        _ => Err(usage("units takes list, add, remove or import")),
    }
}

/// Runs a command on `store`'s table; numbers sealed with `contacts`.
pub async fn run(
    store: &Store,
    contacts: &ContactCipher,
    command: UnitsCommand,
) -> Result<Vec<String>, AdminError> {
    let store_error = |e: aduan_shared::store::StoreError| AdminError::Invalid(e.to_string());
    match command {
        UnitsCommand::List(kel) => {
            let units = store.units(&kel).await.map_err(store_error)?;
            if units.is_empty() {
                return Ok(vec![format!("{kel}: no RW or RT kept")]);
            }
            Ok(units
                .iter()
                .map(|u| {
                    let whatsapp = if u.head_contact.is_some() {
                        "WhatsApp kept"
                    } else {
                        "no WhatsApp"
                    };
                    format!(
                        "{}\t{}\t{}\t{whatsapp}\tversion {}",
                        u.path,
                        u.path.display_name(),
                        u.head_name,
                        u.version
                    )
                })
                .collect())
        }
        UnitsCommand::Add(unit) => {
            let head = UnitHead::of(contacts, &unit);
            store
                .create_unit(&unit.path, &head, WRITER, Utc::now())
                .await
                .map_err(store_error)?;
            Ok(vec![format!(
                "added {} ({})",
                unit.path,
                unit.path.display_name()
            )])
        }
        UnitsCommand::Remove(path) => {
            store.delete_unit(&path).await.map_err(store_error)?;
            Ok(vec![format!("removed {path}")])
        }
        UnitsCommand::Import(kel, file) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| AdminError::Invalid(format!("{}: {e}", file.display())))?;
            match store
                .import_units_csv(contacts, &kel, &text, WRITER, Utc::now())
                .await
                .map_err(store_error)?
            {
                Ok(summary) => Ok(vec![format!(
                    "{kel}: {} added, {} changed",
                    summary.created, summary.updated
                )]),
                Err(problems) => Err(AdminError::Invalid(
                    std::iter::once(format!("{}: nothing imported", file.display()))
                        .chain(problems.iter().map(|p| format!("line {}: {}", p.line, p.message)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )),
            }
        }
    }
}

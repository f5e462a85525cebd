//! `aduan-admin officials`: officials registered to act from WhatsApp,
//! straight in the table (the same store operations as the officials' API's
//! `/officials` routes, with the same audit entries, under the tool's name).
//! `add` prints the one-time code once; `set` changes one in place (no new
//! code); a number is printed masked only.

use aduan_shared::domain::audit::{Access, AuditEntry, AuditRetention, Auditor};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::official::{
    is_registrable, NewOfficial, OfficialChange, OfficialId, OfficialName, Registration, Role, Standing,
    CODE_VALID_FOR,
};
use aduan_shared::domain::phone::PhoneNumber;
use aduan_shared::domain::reporter::ReporterKeys;
use aduan_shared::store::{Store, StoreError};
use chrono::{DateTime, Utc};

use crate::units::WRITER;
use crate::AdminError;

#[derive(Debug, Clone, PartialEq)]
pub enum OfficialsCommand {
    Add(NewOfficial),
    /// Those registered at the place or below it (the kota without one).
    List(JurisdictionPath),
    Remove(OfficialId),
    /// Name, role and notices changed in place.
    Set(OfficialId, OfficialChange),
}

/// What the tool needs: the table, the keys that seal and hash a number,
/// the kota (the tool's scope) and how long its audit entries are kept.
pub struct Officials<'a> {
    pub store: &'a Store,
    pub keys: &'a ReporterKeys,
    pub tree: &'a Jurisdictions,
    pub retention: AuditRetention,
}

fn usage(message: impl Into<String>) -> AdminError {
    AdminError::Usage(message.into())
}

fn invalid(message: impl Into<String>) -> AdminError {
    AdminError::Invalid(message.into())
}

/// A node of the tree, or an RW or RT of one of its kelurahan (as the API's).
fn place(tree: &Jurisdictions, raw: &str) -> Result<JurisdictionPath, AdminError> {
    JurisdictionPath::parse(raw)
        .ok()
        .filter(|path| is_registrable(tree, path))
        .ok_or_else(|| {
            invalid(format!(
                "--scope {raw:?}: not a place of the jurisdiction tree, or an RW or RT of one of its kelurahan"
            ))
        })
}

/// The arguments after `officials`.
pub fn parse(args: &[String], tree: &Jurisdictions) -> Result<OfficialsCommand, AdminError> {
    let Some((command, rest)) = args.split_first() else {
        return Err(usage("officials takes add, list, set or remove"));
    };
    match command.as_str() {
        "remove" => match rest {
            [id] => OfficialId::parse(id)
                .map(OfficialsCommand::Remove)
                .map_err(|e| invalid(format!("{id:?}: {e}"))),
            _ => Err(usage("officials remove takes an official's id (wa-…)")),
        },
        "list" => match rest {
            [] => Ok(OfficialsCommand::List(tree.kota().path.clone())),
            [flag, scope] if flag == "--scope" => Ok(OfficialsCommand::List(place(tree, scope)?)),
            _ => Err(usage("officials list takes [--scope PATH]")),
        },
        "add" => {
            let (mut name, mut whatsapp, mut scope, mut role) = (None, None, None, None);
            let (mut notify_below, mut digest_by_whatsapp) = (false, false);
            let mut it = rest.iter();
            while let Some(flag) = it.next() {
                // Switches take no value.
                let switch = match flag.as_str() {
                    "--notify-below" => Some(&mut notify_below),
                    "--digest-by-whatsapp" => Some(&mut digest_by_whatsapp),
                    _ => None,
                };
                if let Some(switch) = switch {
                    *switch = true;
                    continue;
                }
                let value = it.next().ok_or_else(|| usage(format!("{flag} needs a value")))?;
                match flag.as_str() {
                    "--name" => name = Some(value.clone()),
                    "--whatsapp" => whatsapp = Some(value.clone()),
                    "--scope" => scope = Some(value.clone()),
                    "--role" => role = Some(value.clone()),
                    other => return Err(usage(format!("unknown argument {other:?}"))),
                }
            }
            let required =
                |value: Option<String>, flag: &str| value.ok_or_else(|| usage(format!("{flag} is required")));
            let name = OfficialName::parse(&required(name, "--name NAME")?)
                .map_err(|e| invalid(format!("--name: {e}")))?;
            let whatsapp = PhoneNumber::parse(&required(whatsapp, "--whatsapp NUMBER")?)
                .map_err(|e| invalid(format!("--whatsapp: {e}")))?;
            let scope = place(tree, &required(scope, "--scope PATH")?)?;
            let role = Role::parse(&required(role, "--role ROLE")?)
                .ok_or_else(|| invalid("--role: viewer, officer or admin"))?;
            Ok(OfficialsCommand::Add(NewOfficial {
                name,
                scope,
                role,
                whatsapp,
                notify_below,
                digest_by_whatsapp,
            }))
        }
        "set" => set(rest),
        _ => Err(usage("officials takes add, list, set or remove")),
    }
}

/// `set ID [--name NAME] [--role ROLE] [--notify-below yes|no]
/// [--digest-by-whatsapp yes|no]`.
fn set(args: &[String]) -> Result<OfficialsCommand, AdminError> {
    let takes = "officials set takes an official's id (wa-…), then --name, --role, --notify-below yes|no or --digest-by-whatsapp yes|no";
    let Some((id, flags)) = args.split_first() else {
        return Err(usage(takes));
    };
    let id = OfficialId::parse(id).map_err(|e| invalid(format!("{id:?}: {e}")))?;
    let yes_no = |flag: &str, value: &str| match value {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(invalid(format!("{flag}: yes or no"))),
    };
    let mut change = OfficialChange::default();
    let mut it = flags.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| usage(format!("{flag} needs a value")))?;
        match flag.as_str() {
            "--name" => {
                change.name = Some(OfficialName::parse(value).map_err(|e| invalid(format!("--name: {e}")))?)
            }
            "--role" => {
                change.role =
                    Some(Role::parse(value).ok_or_else(|| invalid("--role: viewer, officer or admin"))?)
            }
            "--notify-below" => change.notify_below = Some(yes_no(flag, value)?),
            "--digest-by-whatsapp" => change.digest_by_whatsapp = Some(yes_no(flag, value)?),
            "--whatsapp" | "--scope" => {
                return Err(invalid(format!(
                    "{flag} is not changed in place: remove the registration and add it again"
                )))
            }
            other => return Err(usage(format!("unknown argument {other:?}"))),
        }
    }
    if change.is_empty() {
        return Err(usage(takes));
    }
    Ok(OfficialsCommand::Set(id, change))
}

impl Officials<'_> {
    /// The audit names the tool, as an admin of the whole kota.
    fn entry(&self, what: Access, now: DateTime<Utc>) -> AuditEntry {
        let auditor = Auditor {
            sub: WRITER.to_owned(),
            scope: self.tree.kota().path.clone(),
            role: Role::Admin.as_str().to_owned(),
        };
        AuditEntry::of_admin(auditor, what, self.retention, now)
    }

    /// One line for a registration: id, name, masked number, scope, role, standing.
    fn line(&self, r: &Registration, now: DateTime<Utc>) -> String {
        let number = r
            .whatsapp(&self.keys.contacts)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "number does not open".to_owned());
        let standing = match &r.standing {
            _ if r.is_expired(now) => "expired: remove and add again".to_owned(),
            Standing::Awaiting { expires_at, .. } => format!("awaiting the code until {expires_at}"),
            Standing::Confirmed { at, .. } => format!("confirmed {at}"),
        };
        format!(
            "{}\t{}\t{number}\t{}\t{}\t{standing}",
            r.id,
            r.name.as_str(),
            r.scope,
            r.role
        )
    }

    pub async fn run(
        &self,
        command: OfficialsCommand,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, AdminError> {
        let store_error = |e: StoreError| match e {
            StoreError::NumberRegistered => {
                invalid("that WhatsApp number is registered already: remove that registration first")
            }
            StoreError::VersionConflict { .. } => invalid("the registration changed meanwhile: run it again"),
            other => invalid(other.to_string()),
        };
        match command {
            OfficialsCommand::Add(new) => {
                let (registration, code) = Registration::new(new, self.keys, WRITER.to_owned(), now);
                let entry = self.entry(Access::registered(&registration), now);
                self.store
                    .register_official_audited(&registration, Some(&entry))
                    .await
                    .map_err(store_error)?;
                Ok(vec![
                    format!("added {}", self.line(&registration, now)),
                    format!("one-time code: {} (shown only now)", code.expose()),
                    format!(
                        "Ask {} to send it from that number to the desk's WhatsApp number within {} hours; \
                         three wrong codes end the registration.",
                        registration.name.as_str(),
                        CODE_VALID_FOR.num_hours()
                    ),
                ])
            }
            OfficialsCommand::List(scope) => {
                let found = self.store.officials_within(&scope).await.map_err(store_error)?;
                if found.is_empty() {
                    return Ok(vec![format!("{scope}: no official registered")]);
                }
                Ok(found.iter().map(|r| self.line(r, now)).collect())
            }
            OfficialsCommand::Set(id, change) => {
                let mut found = self
                    .store
                    .official(&id)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| invalid(format!("no official registered as {id}")))?;
                let changed = found.apply(&change);
                if changed.is_empty() {
                    return Ok(vec![format!("unchanged {}", self.line(&found, now))]);
                }
                let entry = self.entry(Access::changed(&found, &changed), now);
                self.store
                    .change_official_audited(&mut found, Some(&entry))
                    .await
                    .map_err(store_error)?;
                Ok(vec![format!("changed {}", self.line(&found, now))])
            }
            OfficialsCommand::Remove(id) => {
                let found = self
                    .store
                    .official(&id)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| invalid(format!("no official registered as {id}")))?;
                let entry = self.entry(Access::removed(&found), now);
                self.store
                    .remove_official_audited(&found, Some(&entry))
                    .await
                    .map_err(store_error)?;
                Ok(vec![format!("removed {id} ({})", found.name.as_str())])
            }
        }
    }
}

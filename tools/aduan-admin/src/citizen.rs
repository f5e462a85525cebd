//! `aduan-admin citizen`: a citizen's request to erase their data or to
//! restrict its processing, received by other means (a letter, a visit to
//! the office), carried out exactly as their own `HAPUS DATA`, `BERHENTI`
//! and `MULAI` would: the record is found by the keys the webhook derives
//! from their number or BSUID (HMACs under the reporter key), and written
//! through the same store operations. The number is never printed: only
//! ticket numbers and counts.

use aduan_shared::archive::MediaBucket;
use aduan_shared::conversation::plan::{AbsorbedRecord, Erasure};
use aduan_shared::conversation::{resolve, Reporter, Resolved};
use aduan_shared::domain::identity::{Bsuid, IdKeys, Sender};
use aduan_shared::domain::phone::PhoneNumber;
use aduan_shared::domain::reporter::{ReporterHasher, SenderId};
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::store::{Store, StoreError};
use chrono::{DateTime, Utc};

use crate::AdminError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// As their confirmed `HAPUS DATA`.
    Erase,
    /// As their `BERHENTI`.
    Restrict,
    /// As their `MULAI`.
    Unrestrict,
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::Erase => "erase",
            Action::Restrict => "restrict",
            Action::Unrestrict => "unrestrict",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenCommand {
    pub action: Action,
    /// Who, as WhatsApp names them: the number, the BSUID or both.
    pub sender: Sender,
    /// Confirmed on the command line: no question asked.
    pub yes: bool,
}

/// Where the tool writes: the table, the reporter key the webhook hashes
/// ids with, and the media bucket when one is configured.
pub struct Citizens<'a> {
    pub store: &'a Store,
    pub hasher: &'a ReporterHasher,
    pub bucket: Option<&'a MediaBucket>,
}

fn usage(message: impl Into<String>) -> AdminError {
    AdminError::Usage(message.into())
}

/// The arguments after `citizen`.
pub fn parse(args: &[String]) -> Result<CitizenCommand, AdminError> {
    let Some((action, rest)) = args.split_first() else {
        return Err(usage("citizen takes erase, restrict or unrestrict"));
    };
    let action = match action.as_str() {
        "erase" => Action::Erase,
        "restrict" => Action::Restrict,
        "unrestrict" => Action::Unrestrict,
        other => return Err(usage(format!("unknown citizen command {other:?}"))),
    };
    let (mut phone, mut bsuid, mut yes) = (None, None, false);
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| usage(format!("{flag} needs a value")));
        match flag.as_str() {
            "--phone" => {
                // As WhatsApp writes it: the digits with the country code.
                let number =
                    PhoneNumber::parse(value()?).map_err(|e| AdminError::Invalid(format!("--phone: {e}")))?;
                let digits = number.as_str().trim_start_matches('+');
                phone =
                    Some(SenderId::parse(digits).map_err(|e| AdminError::Invalid(format!("--phone: {e}")))?);
            }
            "--bsuid" => {
                let id = Bsuid::parse(value()?.trim())
                    .map_err(|e| AdminError::Invalid(format!("--bsuid: {e}")))?;
                if id.is_parent() {
                    return Err(AdminError::Invalid(
                        "--bsuid: a parent BSUID (ENT); give the citizen's own".into(),
                    ));
                }
                bsuid = Some(id);
            }
            "--yes" => yes = true,
            other => return Err(usage(format!("unknown argument {other:?}"))),
        }
    }
    let sender =
        Sender::new(phone, bsuid, None).map_err(|_| usage("give --phone NUMBER and/or --bsuid ID"))?;
    Ok(CitizenCommand { action, sender, yes })
}

/// Conflicts are the citizen's own messages landing meanwhile: a few
/// rounds settle them.
const ROUNDS: usize = 4;

/// Their record as the webhook would find it for a message from `sender`:
/// the same keys, read one by one, resolved the same way. None when
/// nothing is kept about them.
async fn find(citizens: &Citizens<'_>, sender: &Sender) -> Result<Option<Resolved>, AdminError> {
    let keys = IdKeys::of(sender, citizens.hasher);
    let mut found: Vec<Reporter> = Vec::new();
    for key in keys.all() {
        if let Some(record) = citizens.store.reporter(key).await.map_err(store_error)? {
            // A copy is the same record under another key.
            if !found.iter().any(|r| r.id == record.id) {
                found.push(record);
            }
        }
    }
    Ok(resolve(&keys, &found).filter(|r| r.reporter.is_some()))
}

fn store_error(e: StoreError) -> AdminError {
    AdminError::Invalid(format!("the table: {e}"))
}

fn tickets(list: &[&Ticket]) -> String {
    if list.is_empty() {
        return "none".to_owned();
    }
    list.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
}

/// Runs a command; `confirm` asks the administrator (with what is about to
/// be done) unless the command says `--yes`. Returns what to print.
pub async fn run(
    citizens: &Citizens<'_>,
    command: CitizenCommand,
    confirm: &mut dyn FnMut(&str) -> bool,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AdminError> {
    let mut asked = command.yes;
    for _ in 0..ROUNDS {
        let Some(Resolved {
            reporter: Some(reporter),
            absorbed,
            ..
        }) = find(citizens, &command.sender).await?
        else {
            return Ok(vec![format!(
                "nothing is kept about this citizen: nothing to {}",
                command.action.verb()
            )]);
        };
        let outcome = match command.action {
            Action::Erase => erase(citizens, reporter, absorbed.as_ref(), &mut asked, confirm).await,
            Action::Restrict | Action::Unrestrict => {
                restrict(
                    citizens,
                    command.action,
                    reporter,
                    absorbed,
                    &mut asked,
                    confirm,
                    now,
                )
                .await
            }
        };
        match outcome {
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(store_error(e)),
            Ok(lines) => return Ok(lines),
        }
    }
    Err(AdminError::Invalid(
        "the citizen's record kept changing (they are writing now): run the command again".into(),
    ))
}

/// What their confirmed `HAPUS DATA` does: the record and its copies
/// deleted, every case of theirs unlinked (it stays, "reporter erased"),
/// and those cases' files deleted from the bucket unless an official marked
/// them as needed.
async fn erase(
    citizens: &Citizens<'_>,
    mut reporter: Reporter,
    absorbed: Option<&Reporter>,
    asked: &mut bool,
    confirm: &mut dyn FnMut(&str) -> bool,
) -> Result<Vec<String>, StoreError> {
    // Their other record's cases are theirs too; both records go.
    if let Some(other) = absorbed {
        reporter.absorb(other);
    }
    let mut cases = Vec::new();
    for owner in reporter.case_owners() {
        cases.extend(citizens.store.all_reporter_cases(&owner).await?);
    }
    let erasure = Erasure::unlinking(cases, |c| c.reporter.id().is_some_and(|id| reporter.owns(id)));
    let unlinked: Vec<&Ticket> = erasure.cases.iter().map(|c| &c.ticket).collect();
    let kept = erasure.files_kept();
    if !*asked {
        let question = format!(
            "Erase this citizen's data? Their contact and ids are deleted; {} case(s) stay without them ({}); \
             files kept for {} (marked as needed). This cannot be undone.",
            unlinked.len(),
            tickets(&unlinked),
            tickets(&kept),
        );
        if !confirm(&question) {
            return Ok(vec!["not confirmed: nothing erased".to_owned()]);
        }
        *asked = true;
    }
    citizens
        .store
        .erase_reporter(&reporter, absorbed.map(AbsorbedRecord::of).as_ref(), &erasure)
        .await?;
    let mut lines = vec![
        format!(
            "erased: the citizen's record deleted, {} case(s) unlinked ({})",
            unlinked.len(),
            tickets(&unlinked)
        ),
        format!("files kept for: {}", tickets(&kept)),
    ];
    let to_delete = erasure.files_to_delete();
    if !to_delete.is_empty() {
        lines.push(match citizens.bucket {
            Some(bucket) => {
                let done = bucket.delete_erased_files(citizens.store, &to_delete).await;
                format!(
                    "files: {} deleted from {} case(s); {} case(s) left for the sweep to retry",
                    done.files_deleted, done.cases_done, done.cases_pending
                )
            }
            None => format!(
                "files: MEDIA_BUCKET is not set here; the sweep deletes those of {} case(s) within the hour",
                to_delete.len()
            ),
        });
    }
    Ok(lines)
}

/// What their `BERHENTI` (restrict) or `MULAI` (unrestrict) does: no
/// message goes to them but replies to what they send, or that lifted. The
/// same person's other record, not yet merged into theirs, is changed too
/// (each saved as read: its cases' notices read it).
async fn restrict(
    citizens: &Citizens<'_>,
    action: Action,
    reporter: Reporter,
    absorbed: Option<Reporter>,
    asked: &mut bool,
    confirm: &mut dyn FnMut(&str) -> bool,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let stop = action == Action::Restrict;
    let records: Vec<Reporter> = std::iter::once(reporter).chain(absorbed).collect();
    let to_change: Vec<Reporter> = records
        .into_iter()
        .filter(|r| r.stopped_at.is_some() != stop)
        .collect();
    if to_change.is_empty() {
        return Ok(vec![if stop {
            "already restricted: nothing changed".to_owned()
        } else {
            "not restricted: nothing changed".to_owned()
        }]);
    }
    if !*asked {
        let question = if stop {
            "Restrict this citizen's data: no message goes to them but replies to what they send?"
        } else {
            "Lift this citizen's restriction: notices about their cases go to them again?"
        };
        if !confirm(question) {
            return Ok(vec!["not confirmed: nothing changed".to_owned()]);
        }
        *asked = true;
    }
    for mut record in to_change {
        if stop {
            record.stop(now);
        } else {
            record.resume();
        }
        citizens.store.save_reporter(&mut record).await?;
    }
    Ok(vec![if stop {
        "restricted: no message goes to this citizen but replies to what they send, until unrestricted or they send MULAI".to_owned()
    } else {
        "unrestricted: notices about their cases go to them again".to_owned()
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<CitizenCommand, AdminError> {
        parse(&line.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
    }

    #[test]
    fn the_number_is_read_as_whatsapp_writes_it() {
        let command = parse_line("erase --phone 0812-3456-7890").unwrap();
        assert_eq!(command.action, Action::Erase);
        assert!(!command.yes);
        assert_eq!(command.sender.phone().unwrap().expose(), "6281234567890");
        let command =
            parse_line("restrict --phone +6281234567890 --bsuid ID.1234567890123456 --yes").unwrap();
        assert_eq!(command.action, Action::Restrict);
        assert!(command.yes);
        assert_eq!(command.sender.phone().unwrap().expose(), "6281234567890");
        assert_eq!(command.sender.user_id().unwrap().expose(), "ID.1234567890123456");
        let command = parse_line("unrestrict --bsuid ID.1234567890123456").unwrap();
        assert!(command.sender.phone().is_none());
    }

    #[test]
    fn bad_arguments_are_explained_without_the_number() {
        for (line, expect) in [
            ("erase", "give --phone NUMBER and/or --bsuid ID"),
            ("erase --yes", "give --phone NUMBER and/or --bsuid ID"),
            ("forget --phone 081234567890", "unknown citizen command"),
            ("erase --phone", "--phone needs a value"),
            ("erase --phone 0812abc99", "--phone"),
            ("erase --bsuid ID.ENT.99", "a parent BSUID"),
            ("erase --bsuid 6281234567890", "--bsuid"),
            ("erase --phone 081234567890 --all", "unknown argument"),
        ] {
            let err = parse_line(line).unwrap_err().to_string();
            assert!(err.contains(expect), "{line}: {err}");
            assert!(
                !err.contains("81234567890") && !err.contains("abc99"),
                "{line}: {err}"
            );
        }
    }
}

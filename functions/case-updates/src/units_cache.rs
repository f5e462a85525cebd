//! A short cache of each kelurahan's units, so that naming a kelurahan's
//! RWs and RTs costs no read on most requests, while a change made through
//! another warm instance shows within `UNITS_CACHE_SECONDS`. The clock is
//! passed in: tests move it instead of sleeping.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aduan_shared::domain::jurisdiction::{JurisdictionPath, UnitList};
use chrono::{DateTime, Duration, Utc};

pub struct UnitsCache {
    ttl: Duration,
    entries: Mutex<HashMap<JurisdictionPath, Entry>>,
}

/// A kelurahan's units and when they were read.
type Entry = (DateTime<Utc>, Arc<UnitList>);

impl UnitsCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::default(),
        }
    }

    /// The kelurahan's units if read less than the lifetime before `now`.
    pub fn fresh(&self, kelurahan: &JurisdictionPath, now: DateTime<Utc>) -> Option<Arc<UnitList>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(kelurahan)
            .filter(|(read_at, _)| now - *read_at < self.ttl && *read_at <= now)
            .map(|(_, list)| Arc::clone(list))
    }

    pub fn insert(&self, list: UnitList, now: DateTime<Utc>) -> Arc<UnitList> {
        let list = Arc::new(list);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(list.kelurahan().clone(), (now, Arc::clone(&list)));
        list
    }

    /// After this instance wrote the kelurahan's units: read them again next time.
    pub fn forget(&self, kelurahan: &JurisdictionPath) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(kelurahan);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aduan_shared::domain::jurisdiction::Jurisdictions;

    #[test]
    fn an_entry_lives_for_the_lifetime_and_is_forgotten_on_a_write() {
        let tree = Jurisdictions::bukittinggi();
        let kel = tree.all_kelurahan().next().unwrap();
        let cache = UnitsCache::new(Duration::seconds(300));
        let t0 = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(cache.fresh(&kel.path, t0).is_none());
        cache.insert(UnitList::new(kel, vec![]), t0);
        assert!(cache.fresh(&kel.path, t0 + Duration::seconds(299)).is_some());
        assert!(cache.fresh(&kel.path, t0 + Duration::seconds(300)).is_none());
        // A clock that went back does not make an entry live longer.
        assert!(cache.fresh(&kel.path, t0 - Duration::seconds(1)).is_none());
        cache.forget(&kel.path);
        assert!(cache.fresh(&kel.path, t0).is_none());
        let other = tree.all_kelurahan().nth(1).unwrap();
        assert!(cache.fresh(&other.path, t0).is_none());
    }
}

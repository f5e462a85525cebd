//! The load, decided before anything runs: who writes what, which
//! deliveries come more than once, in which order and in which bursts. One
//! seed decides all of it, so a run replays exactly (what runs concurrently
//! still interleaves as the machine schedules it).

use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::whatsapp::meta::fixtures;
use aduan_shared::whatsapp::signature::sign_meta;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// The city's number the deliveries come in on (it serves the whole kota).
pub const NUMBER_ID: &str = "1000000001";

/// The size and mix of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub seed: u64,
    /// Webhook deliveries in all, redeliveries included.
    pub deliveries: usize,
    pub citizens: usize,
    /// Of the deliveries, the percentage that repeat an earlier one.
    pub redelivery_percent: usize,
}

impl Shape {
    /// Original messages: the deliveries that are not redeliveries.
    pub fn originals(&self) -> usize {
        self.deliveries - self.deliveries * self.redelivery_percent / 100
    }
}

#[derive(Debug, Clone)]
pub struct Citizen {
    /// Their WhatsApp id (an Indonesian mobile number).
    pub number: String,
}

/// One original message, as Meta delivers it: the signed body.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub citizen: usize,
    /// Its place in the citizen's conversation (0: the report itself).
    pub seq: usize,
    pub body: Vec<u8>,
    pub signature: String,
}

/// One delivery of a message; `redelivery` when Meta sends it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub message: usize,
    pub redelivery: bool,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub shape: Shape,
    pub citizens: Vec<Citizen>,
    pub messages: Vec<Message>,
    /// Deliveries submitted together; a wave is answered before the next.
    pub waves: Vec<Vec<Delivery>>,
    /// Messages that arrive after a later message of the same citizen.
    pub out_of_order: usize,
    /// Waves of more than [`BURST_MIN`] deliveries.
    pub bursts: usize,
}

/// Waves at least this big are bursts (well over the sandboxes' number).
pub const BURST_MIN: usize = 40;

const REPORTS: &[&str] = &[
    "Jalan berlubang besar",
    "Sampah menumpuk sudah seminggu tidak diangkut",
    "Lampu jalan mati sejak tiga hari",
    "Saluran air tersumbat dan meluap ke jalan",
    "Saran: tambahkan tempat sampah di taman",
    "Pohon tumbang menutup sebagian jalan",
    "Kritik: pelayanan kantor lurah lambat sekali",
];

const FOLLOW_UPS: &[&str] = &[
    "Mohon segera ditindaklanjuti karena sudah membahayakan pengendara motor",
    "Kondisinya makin parah setelah hujan deras tadi malam, banyak warga mengeluh",
    "Lokasinya persis di depan warung dekat masjid, mudah dilihat dari jalan besar",
    "Tambahan: kejadian ini sudah pernah dilaporkan tahun lalu tetapi belum ada perbaikan",
];

/// A fixed instant for the bodies' timestamps, so bodies are the same every run.
const EPOCH: i64 = 1_795_900_000;

impl Scenario {
    pub fn generate(shape: Shape, tree: &Jurisdictions, app_secret: &[u8]) -> Scenario {
        let originals = shape.originals();
        assert!(
            shape.citizens >= 1 && originals >= shape.citizens,
            "every citizen needs at least one message: {shape:?}"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(shape.seed);
        let kelurahan: Vec<String> = tree
            .kecamatan()
            .flat_map(|kec| tree.kelurahan_of(&kec.path))
            .map(|node| node.name.clone())
            .collect();
        let citizens: Vec<Citizen> = (0..shape.citizens)
            .map(|i| Citizen {
                number: format!("62812{:08}", 40_000_000 + i * 7 + 3),
            })
            .collect();

        // How many messages each citizen sends: one each, the rest to a few
        // talkative ones more than to others.
        let mut counts = vec![1usize; shape.citizens];
        for _ in shape.citizens..originals {
            let c = if rng.random_bool(0.5) {
                rng.random_range(0..shape.citizens.div_ceil(5))
            } else {
                rng.random_range(0..shape.citizens)
            };
            counts[c] += 1;
        }

        // When each message is sent: a citizen starts somewhere in the run
        // and writes the rest in quick succession (their own bursts).
        let span = originals as f64;
        let mut messages = Vec::with_capacity(originals);
        let mut times = Vec::with_capacity(originals);
        for (c, &count) in counts.iter().enumerate() {
            let mut t = rng.random_range(0.0..span);
            let place = kelurahan.choose(&mut rng).expect("a tree with kelurahan");
            for seq in 0..count {
                let id = format!("wamid.SOAK{:016X}", rng.random::<u64>());
                let (kind, payload) = if seq == 0 {
                    let report = REPORTS.choose(&mut rng).expect("reports");
                    ("text", json!({"body": format!("{report} di {place}.")}))
                } else if rng.random_bool(0.25) {
                    (
                        "location",
                        json!({"latitude": -0.30 - rng.random_range(0.0..0.02), "longitude": 100.37 + rng.random_range(0.0..0.02)}),
                    )
                } else {
                    let text = FOLLOW_UPS.choose(&mut rng).expect("follow-ups");
                    ("text", json!({"body": format!("{text} ({seq}).")}))
                };
                let timestamp = EPOCH + (t * 10.0) as i64;
                let body = fixtures::message(NUMBER_ID, &citizens[c].number, &id, timestamp, kind, payload);
                let body = serde_json::to_vec(&body).expect("JSON serialises");
                let signature = sign_meta(app_secret, &body);
                times.push(t);
                messages.push(Message {
                    id,
                    citizen: c,
                    seq,
                    body,
                    signature,
                });
                t += rng.random_range(0.0..3.0);
            }
        }

        // Arrival: some messages are held up and overtaken by later ones;
        // redeliveries follow their message at once (a storm racing it) or
        // much later (Meta's retry after a lost answer).
        let mut arrivals: Vec<(f64, Delivery)> = Vec::with_capacity(shape.deliveries);
        for (m, &t) in times.iter().enumerate() {
            let delay = if rng.random_bool(0.15) {
                rng.random_range(3.0..span / 10.0 + 4.0)
            } else {
                0.0
            };
            arrivals.push((
                t + delay,
                Delivery {
                    message: m,
                    redelivery: false,
                },
            ));
        }
        for _ in originals..shape.deliveries {
            let m = rng.random_range(0..originals);
            let first = arrivals[m].0;
            let delay = if rng.random_bool(0.3) {
                rng.random_range(0.0..1.0)
            } else {
                rng.random_range(1.0..span / 4.0 + 2.0)
            };
            arrivals.push((
                first + delay,
                Delivery {
                    message: m,
                    redelivery: true,
                },
            ));
        }
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let out_of_order = count_out_of_order(&messages, &arrivals);

        let mut waves = Vec::new();
        let mut rest = &arrivals[..];
        while !rest.is_empty() {
            let size = if rng.random_bool(0.06) {
                rng.random_range(BURST_MIN..=3 * BURST_MIN)
            } else {
                rng.random_range(4..=16)
            };
            let (wave, tail) = rest.split_at(size.min(rest.len()));
            waves.push(wave.iter().map(|(_, d)| *d).collect::<Vec<_>>());
            rest = tail;
        }
        let bursts = waves.iter().filter(|w| w.len() >= BURST_MIN).count();
        Scenario {
            shape,
            citizens,
            messages,
            waves,
            out_of_order,
            bursts,
        }
    }

    pub fn deliveries(&self) -> impl Iterator<Item = &Delivery> {
        self.waves.iter().flatten()
    }
}

/// First deliveries that come after a delivery of a later message of the
/// same citizen.
fn count_out_of_order(messages: &[Message], arrivals: &[(f64, Delivery)]) -> usize {
    let mut latest_seq: Vec<Option<usize>> = Vec::new();
    let mut seen = vec![false; messages.len()];
    let mut count = 0;
    for (_, d) in arrivals {
        if std::mem::replace(&mut seen[d.message], true) {
            continue;
        }
        let m = &messages[d.message];
        if latest_seq.len() <= m.citizen {
            latest_seq.resize(m.citizen + 1, None);
        }
        match latest_seq[m.citizen] {
            Some(latest) if latest > m.seq => count += 1,
            _ => latest_seq[m.citizen] = Some(m.seq),
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(seed: u64) -> Shape {
        Shape {
            seed,
            deliveries: 500,
            citizens: 100,
            redelivery_percent: 20,
        }
    }

    fn generate(seed: u64) -> Scenario {
        Scenario::generate(shape(seed), Jurisdictions::bukittinggi(), b"secret")
    }

    #[test]
    fn a_seed_replays_the_same_load() {
        let (a, b) = (generate(7), generate(7));
        let order = |s: &Scenario| -> Vec<(String, bool)> {
            s.deliveries()
                .map(|d| (s.messages[d.message].id.clone(), d.redelivery))
                .collect()
        };
        assert_eq!(order(&a), order(&b));
        assert_eq!(a.messages[3].body, b.messages[3].body);
        assert_ne!(order(&a), order(&generate(8)));
    }

    #[test]
    fn the_mix_is_what_the_shape_asks_for() {
        let s = generate(1);
        assert_eq!(s.deliveries().count(), 500);
        assert_eq!(s.messages.len(), 400);
        assert_eq!(s.deliveries().filter(|d| d.redelivery).count(), 100);
        // Every citizen writes, every message is delivered at least once.
        for c in 0..100 {
            assert!(s.messages.iter().any(|m| m.citizen == c && m.seq == 0));
        }
        let mut delivered = vec![false; s.messages.len()];
        s.deliveries().for_each(|d| delivered[d.message] = true);
        assert!(delivered.iter().all(|d| *d));
        assert!(s.out_of_order > 0, "some messages overtaken");
        assert!(s.bursts > 0, "some bursts");
        // Bodies carry valid signatures.
        let m = &s.messages[0];
        assert_eq!(sign_meta(b"secret", &m.body), m.signature);
    }
}

//! Test support: the handler on a fresh table, topic and WhatsApp stand-in
//! of its own (tests run in parallel), driven with API Gateway HTTP API
//! (payload 2.0) events carrying JWT claims, as API Gateway sends them.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::sync::Arc;

use aduan_shared::domain::audit::AuditRetention;
use aduan_shared::domain::case::{Case, Channel, NewCase, Provider};
use aduan_shared::domain::duplicates::DuplicateRules;
use aduan_shared::domain::identity::{Bsuid, IdKeys, Sender};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::Ladder;
use aduan_shared::domain::reporter::{ContactCipher, Key32, ReporterHasher, ReporterKeys, SenderId};
use aduan_shared::domain::sla::{SlaPolicy, WorkingCalendar};
use aduan_shared::domain::ticket::{Ticket, TicketPrefix};
use aduan_shared::domain::timeline::{
    Actor, EventBody, MediaStorage, MediaType, MessageContent, StoredFile, TimelineEvent,
};
use aduan_shared::notify::citizen::{CitizenMessenger, Templates};
use aduan_shared::notify::official_digest;
use aduan_shared::notify::officials::{self, NoticeTemplate, OfficialNotifier};
use aduan_shared::notify::{EscalationNotifier, SnsPublisher};
use aduan_shared::store::{Reporter, Store};
use aduan_shared::texts::Texts;
use aduan_shared::whatsapp::client::WhatsAppApi;
use aduan_testkit::counting::RequestCounter;
use aduan_testkit::sns::fresh_topic;
use aduan_testkit::standin::WhatsAppStandin;
use aduan_testkit::unique;
use case_updates::outbound::Citizens;
use case_updates::state::AppState;
use case_updates::units_cache::UnitsCache;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub const KEL_GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";
pub const KEL_PUHUN_TEMBOK: &str = "bukittinggi/mandiangin-koto-selayan/puhun-tembok";
pub const KEC_MKS: &str = "bukittinggi/mandiangin-koto-selayan";
pub const KEL_KAYU_KUBU: &str = "bukittinggi/guguk-panjang/kayu-kubu";
pub const KEC_GUGUK: &str = "bukittinggi/guguk-panjang";
pub const RW_GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh/rw-01";
pub const RT_GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh/rw-01/rt-02";
/// The RWs and RTs the tests' unit directory knows.
pub use aduan_testkit::sdk_config;

/// Who calls: the claims API Gateway's JWT authorizer passes on.
#[derive(Debug, Clone)]
pub struct Caller {
    pub sub: String,
    pub name: String,
    pub scope: String,
    pub role: String,
}

pub fn caller(scope: &str, role: &str) -> Caller {
    Caller {
        sub: format!("sub-{role}-{}", scope.replace('/', ".")),
        name: format!("Petugas {role}"),
        scope: scope.to_owned(),
        role: role.to_owned(),
    }
}

pub struct App {
    pub state: AppState,
    /// The DynamoDB requests the handlers send, by operation.
    pub requests: RequestCounter,
    pub sdk: aws_config::SdkConfig,
    pub topic_arn: String,
    pub keys: ReporterKeys,
    pub whatsapp: WhatsAppStandin,
}

/// The citizen messenger the handlers use, sending to `whatsapp`.
pub fn messenger(whatsapp: &WhatsAppStandin, tree: Arc<Jurisdictions>) -> CitizenMessenger {
    CitizenMessenger {
        api: WhatsAppApi::new(&whatsapp.base_url, "test-token", &whatsapp.root_url(), None),
        keys: Arc::new(keys()),
        texts: Arc::new(Texts::shipped()),
        tree,
        templates: Templates::default(),
    }
}

/// The officials' notifier the handlers use, sending to `whatsapp`.
pub fn official_notifier(whatsapp: &WhatsAppStandin, tree: Arc<Jurisdictions>) -> OfficialNotifier {
    OfficialNotifier {
        api: WhatsAppApi::new(&whatsapp.base_url, "test-token", &whatsapp.root_url(), None),
        contacts: keys().contacts,
        texts: Arc::new(Texts::shipped()),
        tree,
        template: NoticeTemplate {
            name: officials::DEFAULT_TEMPLATE.into(),
            language: "id".into(),
        },
        digest_template: NoticeTemplate {
            name: official_digest::DEFAULT_TEMPLATE.into(),
            language: "id".into(),
        },
        offset: WorkingCalendar::default().offset(),
        duplicates: DuplicateRules::default(),
    }
}

pub fn keys() -> ReporterKeys {
    ReporterKeys {
        hasher: ReporterHasher::new(Key32::from_bytes([7; 32])),
        contacts: ContactCipher::new(Key32::from_bytes([9; 32]), []),
    }
}

/// The reporter's WhatsApp number of seeded case `n`: what must never leak.
pub fn number_of(n: u64) -> String {
    format!("62812{:08}", 55_000_000 + n)
}

/// Citizen `n`'s business-scoped user id.
pub fn bsuid_of(n: u64) -> String {
    format!("ID.{}", 70_000_000 + n)
}

/// Citizen `n` as the desk knows them: the number and the BSUID, or the
/// BSUID alone.
pub fn citizen(n: u64, number_known: bool) -> Sender {
    let phone = number_known.then(|| SenderId::parse(&number_of(n)).unwrap());
    Sender::new(phone, Some(Bsuid::parse(&bsuid_of(n)).unwrap()), None).unwrap()
}

impl App {
    pub async fn new(test: &str) -> App {
        let sdk = sdk_config().await;
        let requests = RequestCounter::default();
        let table = aduan_testkit::fresh_table(&sdk, test).await;
        let store = Store::new(requests.dynamodb_client(&sdk), table, WorkingCalendar::default());
        let topic_arn = fresh_topic(&sdk, &unique(&format!("esc-{test}")))
            .await
            .expect("create topic");
        let sns = aws_sdk_sns::Client::new(&sdk);
        let tree = Arc::new(Jurisdictions::bukittinggi().clone());
        let whatsapp = WhatsAppStandin::start().await;
        let keys = keys();
        let messenger = messenger(&whatsapp, tree.clone());
        let officials = official_notifier(&whatsapp, tree.clone());
        let state = AppState {
            escalations: EscalationNotifier::new(SnsPublisher::new(sns), store.clone(), topic_arn.clone()),
            store,
            tree,
            ladder: Ladder::default(),
            sla: SlaPolicy::default(),
            citizens: Citizens::new(messenger),
            officials,
            media: None,
            keys: keys.clone(),
            units: UnitsCache::new(chrono::Duration::seconds(300)),
            audit_retention: AuditRetention::default(),
            duplicates: DuplicateRules::default(),
        };
        App {
            state,
            requests,
            sdk,
            topic_arn,
            keys,
            whatsapp,
        }
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Garegeh's RW 01 and its RT 02, added by the kelurahan's staff
    /// through the API (a hand-down checks its unit against them).
    pub async fn keep_garegeh_units(&self) {
        let lurah = caller(KEL_GAREGEH, "officer");
        for (unit, head) in [(RW_GAREGEH, "Pak Ketua RW"), (RT_GAREGEH, "Ibu Ketua RT")] {
            let r = self
                .put(
                    &lurah,
                    &format!("/units/{unit}"),
                    serde_json::json!({"head_name": head}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }
    }

    /// A case `n` (ticket `ADU-000n`) in `area` (a kelurahan, or a kecamatan
    /// for a case whose kelurahan is unknown), opened at `at` by a reporter of
    /// its own whose last message was at `last_inbound`.
    pub async fn seed_at(&self, n: u64, area: &str, at: DateTime<Utc>, last_inbound: DateTime<Utc>) -> Case {
        self.seed_described(n, area, at, last_inbound, format!("Jalan berlubang nomor {n}"))
            .await
    }

    /// [`App::seed_at`] with the citizen's `description`.
    pub async fn seed_described(
        &self,
        n: u64,
        area: &str,
        at: DateTime<Utc>,
        last_inbound: DateTime<Utc>,
        description: String,
    ) -> Case {
        self.seed_with(
            citizen(n, true),
            n,
            area,
            at,
            last_inbound,
            description,
            Vec::new(),
        )
        .await
    }

    /// [`App::seed_described`] by a citizen known as `sender`, with the
    /// citizen's `messages` after the first.
    #[allow(clippy::too_many_arguments)]
    pub async fn seed_with(
        &self,
        sender: Sender,
        n: u64,
        area: &str,
        at: DateTime<Utc>,
        last_inbound: DateTime<Utc>,
        description: String,
        messages: Vec<TimelineEvent>,
    ) -> Case {
        let area = JurisdictionPath::parse(area).unwrap();
        let known = area.depth() >= 3;
        let reporter_id = IdKeys::of(&sender, &self.keys.hasher).new_reporter_id();
        let new = NewCase {
            ticket: Ticket::new(&TicketPrefix::default(), n).unwrap(),
            kind: if n % 2 == 0 {
                CaseKind::Saran
            } else {
                CaseKind::Pengaduan
            },
            description,
            home: area.ancestor_at(2).unwrap_or_else(|| area.clone()),
            jurisdiction: known.then_some(area),
            reporter: reporter_id.clone(),
            channel: Channel {
                provider: Provider::Meta,
                number_id: "100200300".into(),
            },
        };
        let (case, opened) = Case::open(new, &Ladder::default(), &SlaPolicy::default(), at);
        let contact = self.keys.contacts.seal(&reporter_id, &sender);
        let mut reporter = Reporter::new(reporter_id, contact, last_inbound);
        reporter.known_as = IdKeys::of(&sender, &self.keys.hasher);
        let events: Vec<TimelineEvent> = std::iter::once(opened).chain(messages).collect();
        aduan_testkit::seed::open_case(self.store(), &case, &events, reporter).await;
        case
    }

    /// A case opened now by a reporter who wrote a minute ago (inside the window).
    pub async fn seed(&self, n: u64, area: &str) -> Case {
        let now = Utc::now();
        self.seed_at(n, area, now, now - chrono::Duration::minutes(1))
            .await
    }

    pub async fn call(
        &self,
        who: Option<&Caller>,
        method: &str,
        path_and_query: &str,
        body: Option<&str>,
    ) -> Response {
        self.call_event(event(who, method, path_and_query, body), Utc::now())
            .await
    }

    /// A CSV file POSTed as `text/csv`.
    pub async fn post_csv(&self, who: &Caller, path: &str, csv: &str) -> Response {
        let mut event = event(Some(who), "POST", path, Some(csv));
        event["headers"]["content-type"] = json!("text/csv");
        self.call_event(event, Utc::now()).await
    }

    /// A GET handled at `now` (the clock the units' cache reads).
    pub async fn get_at(&self, who: &Caller, path: &str, now: DateTime<Utc>) -> Response {
        self.call_event(event(Some(who), "GET", path, None), now).await
    }

    pub async fn put(&self, who: &Caller, path: &str, body: Value) -> Response {
        self.call(Some(who), "PUT", path, Some(&body.to_string())).await
    }

    pub async fn delete(&self, who: &Caller, path: &str) -> Response {
        self.call(Some(who), "DELETE", path, None).await
    }

    async fn call_event(&self, event: Value, now: DateTime<Utc>) -> Response {
        let req = lambda_http::request::from_str(&event.to_string()).expect("a valid payload 2.0 event");
        let response = case_updates::handler_at(&self.state, req, now).await.unwrap();
        let status = response.status().as_u16();
        let text = match response.body() {
            lambda_http::Body::Text(t) => t.clone(),
            lambda_http::Body::Binary(b) => String::from_utf8(b.clone()).unwrap(),
            _ => String::new(),
        };
        if status == 204 {
            assert_eq!(text, "", "a 204 has no body");
            return Response {
                status,
                body: Value::Null,
                text,
            };
        }
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(content_type.as_deref(), Some("application/json"), "{text}");
        Response {
            status,
            body: serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
            text,
        }
    }

    pub async fn get(&self, who: &Caller, path_and_query: &str) -> Response {
        self.call(Some(who), "GET", path_and_query, None).await
    }

    pub async fn post(&self, who: &Caller, path: &str, body: Value) -> Response {
        self.call(Some(who), "POST", path, Some(&body.to_string())).await
    }

    pub async fn act(&self, who: &Caller, ticket: &str, body: Value) -> Response {
        self.post(who, &format!("/cases/{ticket}/actions"), body).await
    }

    /// An action handled at `now` (a shifted clock).
    pub async fn act_at(&self, who: &Caller, ticket: &str, body: Value, now: DateTime<Utc>) -> Response {
        let path = format!("/cases/{ticket}/actions");
        self.call_event(event(Some(who), "POST", &path, Some(&body.to_string())), now)
            .await
    }
}

/// A citizen's message of `content`, as the webhook records one.
pub fn citizen_message(at: DateTime<Utc>, content: MessageContent) -> TimelineEvent {
    TimelineEvent::new(at, Actor::Citizen, EventBody::message("wamid.test", content))
}

/// A citizen's JPEG photo, `stored` (in the bucket at `file`) or not.
pub fn photo(media_id: &str, stored: MediaStorage, file: Option<StoredFile>) -> TimelineEvent {
    TimelineEvent::new(
        chrono::Utc::now(),
        Actor::Citizen,
        EventBody::Message {
            provider_message_id: format!("wamid.{media_id}"),
            content: MessageContent::Media {
                media_type: MediaType::Image,
                media_id: media_id.into(),
                mime_type: Some("image/jpeg".into()),
                caption: Some("lubang di depan sekolah".into()),
                url: None,
            },
            stored: Some(stored),
            file,
            store_error: (stored == MediaStorage::TooLarge).then(|| "the file is 99 bytes".into()),
        },
    )
}

/// The types of the events of a case's timeline, in order.
pub fn event_types(r: &Response) -> Vec<String> {
    r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"]["type"].as_str().unwrap().to_owned())
        .collect()
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

impl Response {
    /// The error code of the one error shape.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error: {}", self.text))
    }
}

/// An API Gateway HTTP API event (payload format 2.0), `$default` stage.
pub fn event(who: Option<&Caller>, method: &str, path_and_query: &str, body: Option<&str>) -> Value {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (route_key, path_parameters) = match segments.as_slice() {
        ["cases", ticket, rest @ ..] => (
            format!(
                "{method} /cases/{{ticket}}{}",
                rest.iter().map(|r| format!("/{r}")).collect::<String>()
            ),
            json!({ "ticket": ticket }),
        ),
        ["officials", id] => (format!("{method} /officials/{{id}}"), json!({ "id": id })),
        ["units", rest @ ..] => (
            format!("{method} /units/{{path+}}"),
            json!({ "path": rest.join("/") }),
        ),
        _ => (format!("{method} {path}"), json!(null)),
    };
    let mut context = json!({
        "accountId": "123456789012",
        "apiId": "a1b2c3d4e5",
        "domainName": "a1b2c3d4e5.execute-api.ap-southeast-3.amazonaws.com",
        "domainPrefix": "a1b2c3d4e5",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.7",
            "userAgent": "curl/8.5.0"
        },
        "requestId": "JKJaXmPLvHcESHA=",
        "routeKey": route_key,
        "stage": "$default",
        "time": "23/Nov/2026:03:15:00 +0000",
        "timeEpoch": 1795144500000i64
    });
    if let Some(who) = who {
        context["authorizer"] = json!({
            "jwt": {
                "claims": {
                    "sub": who.sub,
                    "name": who.name,
                    "custom:scope": who.scope,
                    "custom:role": who.role,
                    "iss": "https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_test",
                    "aud": "client123",
                    "token_use": "id",
                    "exp": "1795148100"
                },
                "scopes": null
            }
        });
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "host": "a1b2c3d4e5.execute-api.ap-southeast-3.amazonaws.com",
            "authorization": "Bearer eyJraWQiOi.test.token"
        },
        "requestContext": context,
        "isBase64Encoded": false
    });
    if !path_parameters.is_null() {
        event["pathParameters"] = path_parameters;
    }
    if let Some(body) = body {
        event["body"] = json!(body);
    }
    event
}

//! Citizens' files through the officials' API: a presigned URL into the
//! media bucket for a case in the caller's scope, fetched from the emulator
//! as a browser fetches it.

mod support;

use aduan_shared::archive::MediaBucket;
use aduan_shared::domain::timeline::{
    Actor, EventBody, MediaStorage, MediaType, MessageContent, StoredFile, TimelineEvent,
};
use aduan_testkit::fresh_bucket;
use support::*;

fn photo(media_id: &str, stored: MediaStorage, file: Option<StoredFile>) -> TimelineEvent {
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

#[tokio::test]
async fn a_stored_file_is_a_short_lived_url_for_officials_in_scope_only() {
    let mut app = App::new("media").await;
    let bucket = MediaBucket::new(&app.sdk, fresh_bucket(&app.sdk, "media").await);
    app.state.media = Some(bucket.clone());
    let mut case = app.seed(1, KEL_GAREGEH).await;
    let jpeg = b"\xff\xd8\xff\xe0 a photo of a pothole".to_vec();
    let key = "cases/ADU-0001/01JDEXAMPLE-ME1";
    bucket.put(key, jpeg.clone(), Some("image/jpeg")).await.unwrap();
    let stored = StoredFile {
        key: key.into(),
        bytes: jpeg.len() as u64,
        mime_type: Some("image/jpeg".into()),
    };
    let events = [
        photo("ME1", MediaStorage::Stored, Some(stored)),
        photo("ME2", MediaStorage::Pending, None),
        photo("ME3", MediaStorage::TooLarge, None),
    ];
    app.store().save_case(&mut case, &events, None).await.unwrap();

    let lurah = caller(KEL_GAREGEH, "officer");
    let r = app.get(&lurah, "/cases/ADU-0001/media/ME1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expires_in"], 300);
    assert_eq!(r.body["mime_type"], "image/jpeg");
    assert_eq!(r.body["bytes"], jpeg.len());
    let url = r.body["url"].as_str().unwrap();
    assert!(
        url.contains("X-Amz-Expires=300") && url.contains("X-Amz-Signature="),
        "{url}"
    );
    let fetched = reqwest::get(url).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), jpeg);

    // A viewer of the whole kota may look too; nobody outside the scope.
    let viewer = caller("bukittinggi", "viewer");
    assert_eq!(app.get(&viewer, "/cases/ADU-0001/media/ME1").await.status, 200);
    let elsewhere = caller(KEL_KAYU_KUBU, "officer");
    let r = app.get(&elsewhere, "/cases/ADU-0001/media/ME1").await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    assert!(
        !r.text.contains("ME1") && !r.text.contains("cases/"),
        "{}",
        r.text
    );
    let r = app.get(&lurah, "/cases/ADU-0001/media/ME9").await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    let r = app.get(&lurah, "/cases/ADU-0099/media/ME1").await;
    assert_eq!((r.status, r.code()), (404, "not_found"));

    // Files not (yet) in the bucket say why.
    for (media_id, status) in [("ME2", "pending"), ("ME3", "too_large")] {
        let r = app
            .get(&lurah, &format!("/cases/ADU-0001/media/{media_id}"))
            .await;
        assert_eq!((r.status, r.code()), (409, "media_not_stored"), "{}", r.text);
        assert_eq!(r.body["error"]["status"], status);
    }

    // The case's timeline says where each file stands.
    let r = app.get(&lurah, "/cases/ADU-0001").await;
    let stored: Vec<&str> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["body"]["stored"].as_str())
        .collect();
    assert_eq!(stored, ["stored", "pending", "too_large"]);

    // Without a bucket, the deployment keeps media by reference only.
    app.state.media = None;
    let r = app.get(&lurah, "/cases/ADU-0001/media/ME1").await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
}

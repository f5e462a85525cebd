//! Citizens' files through the officials' API: a presigned URL into the
//! media bucket for a case in the caller's scope, fetched from the emulator
//! as a browser fetches it.

mod support;

use aduan_shared::archive::MediaBucket;
use aduan_shared::domain::timeline::{EventBody, MediaStorage, MessageContent, StoredFile};
use aduan_testkit::fresh_bucket;
use support::*;

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

/// A citizen's "document" may be a page: an HTML or SVG file opened in place
/// would run as the bucket's origin. Those are presigned as downloads of
/// opaque bytes; a photo opens in place with its own type.
#[tokio::test]
async fn html_and_svg_files_download_as_opaque_bytes_and_photos_open_in_place() {
    let mut app = App::new("media-serving").await;
    let bucket = MediaBucket::new(&app.sdk, fresh_bucket(&app.sdk, "media-serving").await);
    app.state.media = Some(bucket.clone());
    let mut case = app.seed(1, KEL_GAREGEH).await;
    let files = [
        (
            "ME1",
            "text/html; charset=utf-8",
            &b"<html><script>alert(document.domain)</script></html>"[..],
        ),
        (
            "ME2",
            "image/svg+xml",
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
        ),
        ("ME3", "image/jpeg", &b"\xff\xd8\xff\xe0 a photo of a pothole"[..]),
    ];
    let mut events = Vec::new();
    for (media_id, mime, bytes) in files {
        let key = format!("cases/ADU-0001/01JDEXAMPLE-{media_id}");
        bucket.put(&key, bytes.to_vec(), Some(mime)).await.unwrap();
        let mut event = photo(
            media_id,
            MediaStorage::Stored,
            Some(StoredFile {
                key,
                bytes: bytes.len() as u64,
                mime_type: Some(mime.into()),
            }),
        );
        if let EventBody::Message {
            content: MessageContent::Media { mime_type, .. },
            ..
        } = &mut event.body
        {
            *mime_type = Some(mime.into());
        }
        events.push(event);
    }
    app.store().save_case(&mut case, &events, None).await.unwrap();
    let lurah = caller(KEL_GAREGEH, "officer");

    for (media_id, mime, bytes) in files {
        let r = app
            .get(&lurah, &format!("/cases/ADU-0001/media/{media_id}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let url = reqwest::Url::parse(r.body["url"].as_str().unwrap()).unwrap();
        let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        let fetched = reqwest::get(url.clone()).await.unwrap();
        assert_eq!(fetched.status(), 200);
        let header = |name: &str| {
            fetched
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (content_type, disposition) = (header("content-type"), header("content-disposition"));
        assert_eq!(fetched.bytes().await.unwrap().to_vec(), bytes);
        if mime == "image/jpeg" {
            assert_eq!(r.body["inline"], true);
            assert!(
                !query.contains_key("response-content-type")
                    && !query.contains_key("response-content-disposition"),
                "{url}"
            );
            assert_eq!(content_type.as_deref(), Some("image/jpeg"));
            assert_eq!(disposition, None);
        } else {
            let attachment = format!("attachment; filename=\"ADU-0001-{media_id}\"");
            assert_eq!(r.body["inline"], false);
            assert_eq!(r.body["mime_type"], mime, "the file's own type, for the record");
            assert_eq!(
                query.get("response-content-type").map(String::as_str),
                Some("application/octet-stream"),
                "{url}"
            );
            assert_eq!(
                query.get("response-content-disposition"),
                Some(&attachment),
                "{url}"
            );
            // The emulator answers with the overrides, as S3 does.
            assert_eq!(content_type.as_deref(), Some("application/octet-stream"));
            assert_eq!(disposition, Some(attachment));
        }
    }
}

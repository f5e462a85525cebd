//! Webhook signatures, checked on the exact bytes received and in constant
//! time (the MAC libraries' `verify_slice` compares without early exit).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing")]
    Missing,
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the signature does not match")]
    Mismatch,
}

/// Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
/// keyed with the app secret.
pub fn verify_meta(app_secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_sig = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(hex_sig).map_err(|_| SignatureError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| SignatureError::Mismatch)
}

/// The header value Meta would send for `body`: used by tests and the simulator.
pub fn sign_meta(app_secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL followed
/// by each POST parameter's name and value, sorted by name)). The URL is the
/// public one Twilio called, which the function cannot see behind API
/// Gateway: it comes from configuration. Twilio's own validators also accept
/// the URL with the scheme's default port added, so both forms are tried.
pub fn verify_twilio(
    auth_token: &[u8],
    public_url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let expected = STANDARD
        .decode(header.trim())
        .map_err(|_| SignatureError::Malformed)?;
    for url in url_variants(public_url) {
        if twilio_mac(auth_token, &url, params)
            .verify_slice(&expected)
            .is_ok()
        {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

pub fn sign_twilio(auth_token: &[u8], public_url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(twilio_mac(auth_token, public_url, params).finalize().into_bytes())
}

fn twilio_mac(auth_token: &[u8], url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// The URL as configured, and with the default port added (or removed).
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    for (scheme, port) in [("https://", ":443"), ("http://", ":80")] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if let Some(bare) = host.strip_suffix(port) {
                variants.push(format!("{scheme}{bare}{path}"));
            } else if !host.contains(':') {
                variants.push(format!("{scheme}{host}{port}{path}"));
            }
        }
    }
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_signature_round_trip_and_failures() {
        let body = br#"{"object":"whatsapp_business_account","x":"caf\u00e9 @ / \u00e9"}"#;
        let header = sign_meta(b"app-secret", body);
        assert_eq!(verify_meta(b"app-secret", body, Some(&header)), Ok(()));
        assert_eq!(
            verify_meta(b"other", body, Some(&header)),
            Err(SignatureError::Mismatch)
        );
        let mut tampered = body.to_vec();
        tampered[5] ^= 1;
        assert_eq!(
            verify_meta(b"app-secret", &tampered, Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_meta(b"app-secret", body, None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_meta(b"app-secret", body, Some("sha1=00")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_meta(b"app-secret", body, Some("sha256=zz")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_meta(b"app-secret", body, Some("sha256=00")),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn meta_signature_known_answer() {
        // HMAC-SHA256 of "The quick brown fox jumps over the lazy dog" under "key".
        let header = sign_meta(b"key", b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            header,
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn twilio_signature_matches_twilios_documented_example() {
        // The example from Twilio's security documentation.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let token = b"12345";
        let header = sign_twilio(token, url, &params);
        assert_eq!(header, "GvWf1cFY/Q7PnoempGyD5oXAezc=");
        assert_eq!(verify_twilio(token, url, &params, Some(&header)), Ok(()));
        // Signed with the default port, configured without it (and back).
        let with_port = sign_twilio(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", &params);
        assert_eq!(verify_twilio(token, url, &params, Some(&with_port)), Ok(()));
        assert_eq!(
            verify_twilio(
                token,
                "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                &params,
                Some(&header)
            ),
            Ok(())
        );
        assert_eq!(
            verify_twilio(b"wrong", url, &params, Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_twilio(token, url, &params, None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_twilio(token, url, &params, Some("!!")),
            Err(SignatureError::Malformed)
        );
    }
}

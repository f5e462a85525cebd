//! The development issuer: HS256 ID tokens for a few seeded officials, and
//! the check API Gateway's JWT authorizer makes (signature, `iss`, `aud`,
//! `exp`). Development only: the key is public, in this file.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The audience (the "client id") of the development tokens.
pub const AUDIENCE: &str = "aduan-dev";
/// How long a development token is valid.
pub const TOKEN_LIFETIME_SECS: i64 = 8 * 3600;
const KEY: &[u8] = b"aduan-dev-issuer: development only, not a secret";

/// A seeded official.
#[derive(Debug, Clone, Copy)]
pub struct Official {
    pub id: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub scope: &'static str,
}

pub const OFFICIALS: &[Official] = &[
    Official {
        id: "lurah-garegeh",
        name: "Lurah Garegeh",
        role: "officer",
        scope: "bukittinggi/mandiangin-koto-selayan/garegeh",
    },
    Official {
        id: "camat-mks",
        name: "Camat Mandiangin Koto Selayan",
        role: "officer",
        scope: "bukittinggi/mandiangin-koto-selayan",
    },
    Official {
        id: "walikota",
        name: "Wali Kota Bukittinggi",
        role: "admin",
        scope: "bukittinggi",
    },
    Official {
        id: "pupr",
        name: "Dinas PUPR",
        role: "officer",
        scope: "bukittinggi/dinas/pupr",
    },
    Official {
        id: "pengamat",
        name: "Pengamat Kota",
        role: "viewer",
        scope: "bukittinggi",
    },
];

pub fn official(id: &str) -> Option<&'static Official> {
    OFFICIALS.iter().find(|o| o.id == id)
}

/// What the authorizer passes to the function, as API Gateway does.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// Every claim as a string (API Gateway stringifies them).
    pub claims: HashMap<String, String>,
    /// The `scope` claim split on spaces; none in an ID token.
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Issuer {
    /// `iss` of the tokens: `http://127.0.0.1:<port>/dev`.
    pub issuer: String,
}

impl Issuer {
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
        }
    }

    /// An ID token for `official` that expires at `exp` (Unix seconds).
    pub fn mint(&self, official: &Official, exp: i64) -> String {
        let claims = json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": official.id,
            "name": official.name,
            "custom:scope": official.scope,
            "custom:role": official.role,
            "token_use": "id",
            "iat": chrono::Utc::now().timestamp(),
            "exp": exp,
        });
        sign(&json!({"alg": "HS256", "typ": "JWT"}), &claims, KEY)
    }

    /// A token valid for [`TOKEN_LIFETIME_SECS`] from now.
    pub fn token(&self, official: &Official) -> String {
        self.mint(official, chrono::Utc::now().timestamp() + TOKEN_LIFETIME_SECS)
    }

    /// The value of an `Authorization` header (`Bearer ` optional, as with
    /// API Gateway): the claims if the token is valid now.
    pub fn verify(&self, authorization: &str) -> Option<Verified> {
        let token = authorization.trim();
        let token = token
            .strip_prefix("Bearer ")
            .or_else(|| token.strip_prefix("bearer "))
            .unwrap_or(token)
            .trim();
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let alg: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if alg["alg"] != "HS256" {
            return None;
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(KEY).expect("HMAC takes any key length");
        mac.update(format!("{header}.{payload}").as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let audience_ok = match &claims["aud"] {
            Value::String(aud) => aud == AUDIENCE,
            Value::Array(auds) => auds.iter().any(|a| a == AUDIENCE),
            _ => false,
        };
        let fresh = claims["exp"].as_i64()? > chrono::Utc::now().timestamp();
        if claims["iss"] != self.issuer.as_str() || !audience_ok || !fresh {
            return None;
        }
        let claims: HashMap<String, String> = claims
            .as_object()?
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect();
        let scopes = claims
            .get("scope")
            .map(|s| s.split_whitespace().map(str::to_owned).collect());
        Some(Verified { claims, scopes })
    }
}

/// `header.payload.signature`, HS256 with `key`.
pub fn sign(header: &Value, claims: &Value, key: &[u8]) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> Issuer {
        Issuer::new("http://127.0.0.1:3000/dev")
    }

    #[test]
    fn verifies_its_own_tokens_and_passes_the_claims() {
        let lurah = official("lurah-garegeh").unwrap();
        let verified = issuer()
            .verify(&format!("Bearer {}", issuer().token(lurah)))
            .unwrap();
        assert_eq!(verified.claims["custom:scope"], lurah.scope);
        assert_eq!(verified.claims["custom:role"], "officer");
        assert_eq!(verified.claims["sub"], "lurah-garegeh");
        assert!(verified.claims["exp"].parse::<i64>().is_ok());
        assert_eq!(verified.scopes, None);
    }

    #[test]
    fn rejects_forged_expired_and_foreign_tokens() {
        let lurah = official("lurah-garegeh").unwrap();
        let now = chrono::Utc::now().timestamp();
        assert!(issuer().verify(&issuer().mint(lurah, now - 1)).is_none());
        let other_port = Issuer::new("http://127.0.0.1:3001/dev");
        assert!(issuer().verify(&other_port.token(lurah)).is_none());
        let token = issuer().token(lurah);
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap())
                .unwrap();
        let forged = sign(&json!({"alg": "HS256"}), &claims, b"another key");
        assert!(issuer().verify(&forged).is_none());
        let mut promoted = claims.clone();
        promoted["custom:role"] = json!("admin");
        let (head, _) = token.split_once('.').unwrap();
        let sig = token.rsplit('.').next().unwrap();
        let tampered = format!("{head}.{}.{sig}", URL_SAFE_NO_PAD.encode(promoted.to_string()));
        assert!(issuer().verify(&tampered).is_none());
        let mut wrong_aud = claims;
        wrong_aud["aud"] = json!("someone-else");
        assert!(issuer()
            .verify(&sign(&json!({"alg": "HS256"}), &wrong_aud, KEY))
            .is_none());
        assert!(issuer().verify("").is_none());
        assert!(issuer().verify("Bearer not.a.jwt").is_none());
    }
}

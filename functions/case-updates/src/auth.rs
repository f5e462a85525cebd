//! Who is calling: the claims API Gateway's JWT authorizer verified, parsed
//! once into an [`Official`]. The function never sees an unverified token.

use std::collections::HashMap;

use aduan_shared::domain::jurisdiction::{JurisdictionPath, AGENCY_SEGMENT};
use aduan_shared::domain::official::Registration;
pub use aduan_shared::domain::official::Role;
use aduan_shared::domain::timeline::Actor;
use aduan_shared::store::QueueScope;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::error::ApiError;

/// Claim names (Cognito ID token; custom attributes carry the `custom:` prefix).
pub const CLAIM_SUB: &str = "sub";
pub const CLAIM_NAME: &str = "name";
pub const CLAIM_SCOPE: &str = "custom:scope";
pub const CLAIM_ROLE: &str = "custom:role";

/// A signed-in official: their identity, the jurisdiction they cover (every
/// node below it included) and what they may do there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    pub sub: String,
    pub name: String,
    pub scope: JurisdictionPath,
    pub role: Role,
}

impl Official {
    /// From the request context's verified JWT claims. No claims (or no
    /// `sub`): 401. A token without a usable scope or role: 403.
    pub fn from_request(req: &Request) -> Result<Self, ApiError> {
        let claims = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                .authorizer
                .as_ref()
                .and_then(|a| a.jwt.as_ref())
                .map(|jwt| &jwt.claims),
            _ => None,
        };
        Self::from_claims(claims.ok_or(ApiError::Unauthenticated)?)
    }

    pub fn from_claims(claims: &HashMap<String, String>) -> Result<Self, ApiError> {
        let claim = |name: &str| claims.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let sub = claim(CLAIM_SUB).ok_or(ApiError::Unauthenticated)?.to_owned();
        let scope = claim(CLAIM_SCOPE)
            .and_then(|raw| JurisdictionPath::parse(raw).ok())
            .ok_or(ApiError::BadClaims(CLAIM_SCOPE))?;
        let role = claim(CLAIM_ROLE)
            .and_then(Role::parse)
            .ok_or(ApiError::BadClaims(CLAIM_ROLE))?;
        let name = claim(CLAIM_NAME)
            .or_else(|| claim("cognito:username"))
            .unwrap_or(&sub)
            .to_owned();
        Ok(Self {
            sub,
            name,
            scope,
            role,
        })
    }

    /// A registered official writing from WhatsApp: the same rules as a
    /// signed-in one of the same scope and role.
    pub fn from_registration(registration: &Registration) -> Self {
        Self {
            sub: registration.id.sub(),
            name: registration.name.as_str().to_owned(),
            scope: registration.scope.clone(),
            role: registration.role,
        }
    }

    /// How the timeline names them.
    pub fn actor(&self) -> Actor {
        Actor::Official {
            sub: self.sub.clone(),
            name: self.name.clone(),
        }
    }

    /// Viewers may read, not act.
    pub fn require_officer(&self) -> Result<(), ApiError> {
        if self.role.may_act() {
            Ok(())
        } else {
            Err(ApiError::ReadOnly(self.role.as_str()))
        }
    }

    /// Where an action sends a case (`field`: a reclassified kelurahan) must
    /// be inside the caller's scope, as the case itself is.
    pub fn require_within(&self, field: &'static str, path: &JurisdictionPath) -> Result<(), ApiError> {
        if path.is_within(&self.scope) {
            Ok(())
        } else {
            Err(ApiError::OutsideScope {
                field,
                scope: self.scope.clone(),
            })
        }
    }

    /// An agency official's scope is `<kota>/dinas/<agency>`.
    pub fn is_agency(&self) -> bool {
        self.scope.segments().nth(1) == Some(AGENCY_SEGMENT) && self.scope.depth() >= 3
    }

    /// The index partition that holds a scope's cases (`path` is the scope
    /// itself or a node inside it).
    pub fn queue_scope(&self, path: &JurisdictionPath) -> QueueScope {
        if self.is_agency() {
            QueueScope::Agency(path.clone())
        } else {
            QueueScope::Area(path.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_the_claims_of_an_officer() {
        let official = Official::from_claims(&claims(&[
            ("sub", "u-1"),
            ("name", "Rina"),
            ("custom:scope", "bukittinggi/guguk-panjang/"),
            ("custom:role", "officer"),
        ]))
        .unwrap();
        assert_eq!(official.scope.as_str(), "bukittinggi/guguk-panjang");
        assert_eq!(official.role, Role::Officer);
        assert!(official.require_officer().is_ok());
        assert!(!official.is_agency());
    }

    #[test]
    fn missing_or_bad_claims_are_refused() {
        assert!(matches!(
            Official::from_claims(&claims(&[])),
            Err(ApiError::Unauthenticated)
        ));
        let bad_scope = claims(&[
            ("sub", "u"),
            ("custom:scope", "Bukit Tinggi"),
            ("custom:role", "viewer"),
        ]);
        assert!(matches!(
            Official::from_claims(&bad_scope),
            Err(ApiError::BadClaims(CLAIM_SCOPE))
        ));
        let bad_role = claims(&[
            ("sub", "u"),
            ("custom:scope", "bukittinggi"),
            ("custom:role", "root"),
        ]);
        assert!(matches!(
            Official::from_claims(&bad_role),
            Err(ApiError::BadClaims(CLAIM_ROLE))
        ));
        let viewer = Official::from_claims(&claims(&[
            ("sub", "u"),
            ("custom:scope", "bukittinggi/dinas/pupr"),
            ("custom:role", "viewer"),
        ]))
        .unwrap();
        assert_eq!(viewer.name, "u");
        assert!(viewer.is_agency());
        assert!(matches!(viewer.require_officer(), Err(ApiError::ReadOnly(_))));
    }
}

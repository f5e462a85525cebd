//! The HTTP API's routes, read from template.yaml exactly as SAM declares
//! them: every `HttpApi` event of every function, with its authorizer.

use std::collections::HashMap;
use std::path::Path;

use serde_yaml::Value;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("template.yaml is not YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template.yaml: {0}")]
    Shape(String),
}

/// One route: `Method Path` → the function (by its binary name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Upper case; `ANY` matches every method.
    pub method: String,
    /// A path template, e.g. `/cases/{ticket}`.
    pub path: String,
    /// `Metadata.BuildProperties.Binary` of the function (e.g. `aduan-webhook`).
    pub binary: String,
    /// The authorizer's name, `None` for an open route.
    pub authorizer: Option<String>,
}

impl Route {
    /// API Gateway's route key, e.g. `GET /cases/{ticket}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path parameters when `method` and `path` match this route.
    pub fn matches(&self, method: &str, path: &str) -> Option<HashMap<String, String>> {
        if self.method != "ANY" && !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let mut params = HashMap::new();
        let mut actual = path.trim_start_matches('/').split('/');
        for pattern in self.path.trim_start_matches('/').split('/') {
            if let Some(name) = pattern.strip_prefix('{').and_then(|p| p.strip_suffix("+}")) {
                let rest: Vec<&str> = actual.by_ref().collect();
                if rest.is_empty() || rest[0].is_empty() {
                    return None;
                }
                params.insert(name.to_owned(), rest.join("/"));
                return Some(params);
            }
            let segment = actual.next()?;
            match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) if !segment.is_empty() => {
                    params.insert(name.to_owned(), segment.to_owned());
                }
                None if pattern == segment => {}
                _ => return None,
            }
        }
        actual.next().is_none().then_some(params)
    }

    /// Variables in the path: fewer is more specific (API Gateway prefers it).
    fn variables(&self) -> usize {
        self.path.matches('{').count()
    }
}

/// template.yaml, parsed (SAM's short-form tags kept as tagged values).
#[derive(Debug, Clone)]
pub struct Template(pub Value);

impl Template {
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        Ok(Self(serde_yaml::from_str(text)?))
    }

    /// Every `HttpApi` event of every function, in template order.
    pub fn routes(&self) -> Result<Routes, TemplateError> {
        let template = &self.0;
        let resources = template["Resources"]
            .as_mapping()
            .ok_or_else(|| TemplateError::Shape("no Resources".into()))?;
        let mut routes = Vec::new();
        for (id, resource) in resources {
            let Some(events) = resource["Properties"]["Events"].as_mapping() else {
                continue;
            };
            let id = id.as_str().unwrap_or_default();
            for (name, event) in events {
                if event["Type"].as_str() != Some("HttpApi") {
                    continue;
                }
                let shape = |what: &str| {
                    TemplateError::Shape(format!(
                        "{id}.Events.{}: {what}",
                        name.as_str().unwrap_or_default()
                    ))
                };
                let props = &event["Properties"];
                let binary = resource["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .ok_or_else(|| shape("the function has no Metadata.BuildProperties.Binary"))?;
                let default_authorizer = api_of(template, props)
                    .and_then(|api| api["Properties"]["Auth"]["DefaultAuthorizer"].as_str());
                let authorizer = props["Auth"]["Authorizer"]
                    .as_str()
                    .or(default_authorizer)
                    .filter(|a| *a != "NONE");
                routes.push(Route {
                    method: props["Method"]
                        .as_str()
                        .ok_or_else(|| shape("no Method"))?
                        .to_ascii_uppercase(),
                    path: props["Path"].as_str().ok_or_else(|| shape("no Path"))?.to_owned(),
                    binary: binary.to_owned(),
                    authorizer: authorizer.map(str::to_owned),
                });
            }
        }
        Ok(Routes(routes))
    }

    /// The Lambda timeout of the function built from `binary` (its own, or
    /// the Globals'), in seconds; Lambda's default (3 s) when neither is set.
    pub fn timeout_secs(&self, binary: &str) -> u64 {
        let own = self.0["Resources"].as_mapping().and_then(|resources| {
            resources
                .values()
                .find(|r| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(binary))
                .and_then(|r| r["Properties"]["Timeout"].as_u64())
        });
        own.or_else(|| self.0["Globals"]["Function"]["Timeout"].as_u64())
            .unwrap_or(3)
    }
}

/// The route table of the HTTP API.
#[derive(Debug, Clone)]
pub struct Routes(pub Vec<Route>);

impl Routes {
    /// The most specific route for this request, and its path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Route, HashMap<String, String>)> {
        self.0
            .iter()
            .filter_map(|route| route.matches(method, path).map(|params| (route, params)))
            .min_by_key(|(route, _)| route.variables())
    }
}

/// The `AWS::Serverless::HttpApi` an event's `ApiId: !Ref X` points at.
fn api_of<'a>(template: &'a Value, props: &Value) -> Option<&'a Value> {
    match &props["ApiId"] {
        Value::Tagged(tagged) if tagged.tag == "!Ref" => template["Resources"].get(tagged.value.as_str()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        Route {
            method: method.into(),
            path: path.into(),
            binary: "f".into(),
            authorizer: None,
        }
    }

    #[test]
    fn matches_by_segments() {
        let r = route("GET", "/cases/{ticket}");
        assert_eq!(r.matches("GET", "/cases/ADU-0042").unwrap()["ticket"], "ADU-0042");
        assert!(r.matches("POST", "/cases/ADU-0042").is_none());
        assert!(r.matches("GET", "/cases").is_none());
        assert!(r.matches("GET", "/cases/").is_none());
        assert!(r.matches("GET", "/cases/ADU-0042/actions").is_none());
        assert!(route("GET", "/webhook").matches("GET", "/webhook").is_some());
        assert!(route("ANY", "/webhook").matches("PUT", "/webhook").is_some());
        let greedy = route("GET", "/files/{proxy+}");
        assert_eq!(greedy.matches("GET", "/files/a/b").unwrap()["proxy"], "a/b");
    }

    #[test]
    fn prefers_the_most_specific_route() {
        let routes = Routes(vec![route("GET", "/cases/{ticket}"), route("GET", "/cases/new")]);
        assert_eq!(routes.find("GET", "/cases/new").unwrap().0.path, "/cases/new");
    }
}

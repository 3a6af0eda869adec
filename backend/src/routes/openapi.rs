use crate::error::ApiError;
use actix_web::{HttpResponse, get};
use std::sync::OnceLock;
use throughline_shared::error::{NAME_MAX, PERSON_MAX, TEXT_MAX};
use throughline_shared::governance::charter::RESPONSE_SLA_HOURS_MAX;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// What no operation says: the title, the default security and the schemas only the modifiers
/// refer to. The operations (and the schemas they use) are added from the services the server
/// mounts, and the modifiers run on the whole (`publish`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Throughline API",
        description = "Event-sourced program management. Every change is an immutable event; every \
                       read can be taken as of a past position or instant. Errors are \
                       `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    security(("session" = []), ("bearer" = [])),
    components(schemas(
        throughline_shared::RecordedEvent,
        throughline_shared::EventMetadata,
        throughline_shared::api::ErrorResponse,
        throughline_shared::api::ErrorBody,
        throughline_shared::FieldError,
    ))
)]
pub struct ApiDoc;

/// Two ways in: the session cookie set by `/api/auth/login` (writes also need `X-CSRF-Token`), or
/// an API token as `Authorization: Bearer tl_…`.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::COOKIE,
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The answers an operation can give besides its own, added to every operation from what it is
/// (public or not, with path or query parameters, with a body, a write) by the same rules the
/// server follows: the authentication middleware answers 401 and 403 in front of every
/// non-public route, the extractors answer 400, 413 and 415, `authorize` answers 404 for a
/// program the caller may not read, every command can meet a concurrent change (409), refuse a
/// value (422), or find the event store shutting down (503). An operation's own annotation wins
/// where it documents the same status (with a more specific description).
struct StandardResponses;

/// Writes that append no event, so none of the command answers (409, 422) apply.
const WRITES_WITHOUT_EVENTS: &[&str] = &["/api/auth/logout"];

/// Commands that refuse an `Idempotency-Key` (see `idempotency::unsupported`).
const NO_IDEMPOTENCY: &[&str] = &["/api/tokens"];

fn idempotency_key() -> utoipa::openapi::path::Parameter {
    utoipa::openapi::path::ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: the same key from the same user within 24 hours gets the original \
             answer (with `Idempotent-Replayed: true`) and appends nothing; with another request \
             it is refused (422 `idempotency_key_reused`). Any 1–255 visible characters, e.g. a UUID.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!#-~]{1,255}$")),
        ))
        .build()
}

const STANDARD_RESPONSES: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "The request cannot be read: a malformed id in the path, a query parameter of the wrong \
         type or out of its range, a body that is not JSON of the documented shape, a NUL \
         character (`%00`) anywhere in the URL, or an `Idempotency-Key` that is not 1–255 \
         visible characters",
    ),
    (
        "401",
        "Unauthorized",
        "Not signed in: no session cookie and no API token, an ended session, or an unknown, \
         revoked or deactivated user's token",
    ),
    (
        "403",
        "Forbidden",
        "Signed in but not allowed: the caller's role, a read-only or program-limited token, an \
         operation that needs a signed-in session rather than a token, or (with the session \
         cookie) a write without the session's `X-CSRF-Token` or a request from another origin",
    ),
    (
        "404",
        "NotFound",
        "Nothing with that id — or a program the caller may not read, which is answered the same \
         so its existence does not leak",
    ),
    (
        "409",
        "Conflict",
        "`version_conflict` (`details.current_version`): the thing changed since the version \
         the request names, or someone else changed it at the same moment; or `already_exists`",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is too large (JSON bodies: 256 KiB; imported files: 20 MB)",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not sent as `Content-Type: application/json`",
    ),
    (
        "422",
        "UnprocessableEntity",
        "Refused by the rules: `validation_failed` with the field errors in `details` (an array \
         of `{field, message}`), `nothing_to_change`, `idempotency_key_reused` (the key was sent \
         with another request in the last 24 hours), or another code naming the rule",
    ),
    (
        "503",
        "ServiceUnavailable",
        "`unavailable`, with `Retry-After`: the database cannot be reached (answered within two \
         seconds; for a command `details.outcome_unknown` says whether it may have been recorded — \
         retry with the same `Idempotency-Key`), or this instance is shutting down",
    ),
];

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorResponse")))
                .build(),
        )
        .build()
}

/// Every operation of a path, with its method.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("GET", &mut item.get),
        ("PUT", &mut item.put),
        ("POST", &mut item.post),
        ("DELETE", &mut item.delete),
        ("OPTIONS", &mut item.options),
        ("HEAD", &mut item.head),
        ("PATCH", &mut item.patch),
        ("TRACE", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|o| (method, o)))
}

/// Anyone may call it: its security requirements include the empty one (`security(())`).
fn is_public(operation: &Operation) -> bool {
    operation
        .security
        .as_ref()
        .is_some_and(|s| s.contains(&SecurityRequirement::default()))
}

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (_, name, description) in STANDARD_RESPONSES {
            components
                .responses
                .insert(name.to_string(), RefOr::T(error_response(description)));
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in operations(item) {
                let public = is_public(operation);
                let in_path = operation
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| p.parameter_in == ParameterIn::Path);
                // An optional body is read leniently (`Option<Json<_>>`): one that cannot be read
                // counts as none, so it never causes 400, 413 or 415.
                let body = operation
                    .request_body
                    .as_ref()
                    .filter(|b| b.required == Some(Required::True));
                let json_body = body.is_some_and(|b| b.content.contains_key("application/json"));
                let command =
                    method != "GET" && !public && !WRITES_WITHOUT_EVENTS.contains(&path.as_str());
                let mut add = vec!["400"];
                if !public {
                    add.extend(["401", "403"]);
                }
                if in_path {
                    add.push("404");
                }
                if body.is_some() {
                    add.push("413");
                }
                if json_body {
                    add.push("415");
                }
                if command {
                    add.extend(["409", "422"]);
                    if !NO_IDEMPOTENCY.contains(&path.as_str()) {
                        operation
                            .parameters
                            .get_or_insert_with(Vec::new)
                            .push(idempotency_key());
                    }
                }
                // Every route but the page of the API document reads the database.
                if path != "/api/openapi.json" {
                    add.push("503");
                }
                for (status, name, _) in STANDARD_RESPONSES {
                    if add.contains(status) {
                        operation
                            .responses
                            .responses
                            .entry(status.to_string())
                            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
                    }
                }
            }
        }
    }
}

/// Limits the server enforces on fields of domain types that requests carry and whose
/// definitions live with the domain (`shared/src/program.rs`, `governance/charter.rs`,
/// `governance/decision.rs`), kept here next to the rest of the document.
struct Limit {
    schema: &'static str,
    property: &'static str,
    length: (Option<usize>, Option<usize>),
    range: (Option<isize>, Option<isize>),
}

const fn text(schema: &'static str, property: &'static str, min: usize, max: usize) -> Limit {
    Limit {
        schema,
        property,
        length: (if min > 0 { Some(min) } else { None }, Some(max)),
        range: (None, None),
    }
}

const DOMAIN_LIMITS: &[Limit] = &[
    text("ObjectiveDraft", "title", 1, NAME_MAX),
    text("ObjectiveDraft", "kpi", 0, NAME_MAX),
    text("ObjectiveDraft", "target_value", 0, NAME_MAX),
    text("EscalationLevel", "title", 1, NAME_MAX),
    text("EscalationLevel", "contact", 0, PERSON_MAX),
    Limit {
        schema: "EscalationLevel",
        property: "response_sla_hours",
        length: (None, None),
        range: (Some(1), Some(RESPONSE_SLA_HOURS_MAX as isize)),
    },
    text("DecisionOption", "title", 1, NAME_MAX),
    text("DecisionOption", "pros", 0, TEXT_MAX),
    text("DecisionOption", "cons", 0, TEXT_MAX),
];

struct DomainLimits;

impl Modify for DomainLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for limit in DOMAIN_LIMITS {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(limit.schema)
            else {
                panic!("the OpenAPI document has no object schema {}", limit.schema);
            };
            let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut(limit.property)
            else {
                panic!(
                    "the OpenAPI schema {} has no {}",
                    limit.schema, limit.property
                );
            };
            field.min_length = limit.length.0.or(field.min_length);
            field.max_length = limit.length.1.or(field.max_length);
            if let Some(minimum) = limit.range.0 {
                field.minimum = Some(minimum.into());
            }
            if let Some(maximum) = limit.range.1 {
                field.maximum = Some(maximum.into());
            }
        }
    }
}

/// The schema of `as_of`: a log position, an RFC 3339 instant or a date.
pub fn as_of_schema() -> Schema {
    AnyOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(0))
                .description(Some("A log position")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("An instant (RFC 3339)")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .description(Some("A date: the end of that day, UTC")),
        )
        .into()
}

/// The schema of the audit trail's `format`.
pub fn audit_format_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["json", "jsonl", "csv"]))
        .description(Some(
            "`json` (default, one page), `jsonl` or `csv` (an export of everything matching)",
        ))
        .into()
}

/// The finished document, and the methods it lists for each path (split into segments), to answer
/// a request whose path the document has, but not with its method, with 405 and the `Allow`
/// header.
struct Published {
    document: utoipa::openapi::OpenApi,
    methods: Vec<(Vec<String>, Vec<&'static str>)>,
}

/// Built once, from the first app the process builds: every app mounts the same operations, and
/// the document does not change while the server runs.
static PUBLISHED: OnceLock<Published> = OnceLock::new();

/// Finishes and keeps the document: `collected` is `ApiDoc` with the operations (and their
/// schemas) collected by `utoipa_actix_web` from the services mounted under `/api`
/// (`routes::configure_api`); the modifiers then run on the whole, as they would in `ApiDoc`.
pub fn publish(collected: utoipa::openapi::OpenApi) {
    PUBLISHED.get_or_init(|| {
        let mut document = collected;
        let modifiers: [&dyn Modify; 3] = [&Security, &DomainLimits, &StandardResponses];
        for modifier in modifiers {
            modifier.modify(&mut document);
        }
        let mut paths = document.paths.clone();
        let methods = paths
            .paths
            .iter_mut()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_string).collect();
                (segments, operations(item).map(|(m, _)| m).collect())
            })
            .collect();
        Published { document, methods }
    });
}

/// The `Allow` header for a request path that the document lists, if it does.
pub fn allowed_methods(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let matching: Vec<(usize, &Vec<&str>)> = PUBLISHED
        .get()?
        .methods
        .iter()
        .filter(|(template, _)| {
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| {
                    t == s || (t.starts_with('{') && t.ends_with('}') && !s.is_empty())
                })
        })
        .map(|(template, methods)| {
            let literal = template
                .iter()
                .zip(&segments)
                .filter(|(t, s)| t == *s)
                .count();
            (literal, methods)
        })
        .collect();
    // As a router would: a template naming the segment (`…/briefings/cadence`) wins over one
    // taking any value there (`…/briefings/{number}`).
    let best = matching.iter().map(|(literal, _)| *literal).max()?;
    let mut allowed: Vec<&str> = matching
        .iter()
        .filter(|(literal, _)| *literal == best)
        .flat_map(|(_, methods)| methods.iter().copied())
        .collect();
    allowed.sort_unstable();
    allowed.dedup();
    (!allowed.is_empty()).then(|| allowed.join(", "))
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system", security(()),
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> Result<HttpResponse, ApiError> {
    let published = PUBLISHED
        .get()
        .ok_or_else(|| ApiError::internal("the OpenAPI document was never published"))?;
    Ok(HttpResponse::Ok().json(&published.document))
}

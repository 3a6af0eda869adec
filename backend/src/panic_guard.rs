//! A panic while handling a request answers `500` with the usual JSON error body instead of
//! dropping the connection, and the process goes on serving everyone else.
//!
//! The cause is logged once, by the panic hook `telemetry::log_panics` installs (message and
//! location, inside the request's span, so the line carries the request id and path); this
//! middleware only turns the unwound request into an answer.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

pub async fn catch_panics<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    // Unwind safety: a handler that panicked is dropped whole; what it shares with other
    // requests (pools, the store's channel, caches behind locks) is built to survive a task that
    // stops half-way, as a cancelled request also does. The error is answered by actix with the
    // usual JSON body (a clone of the request, to build a response here, would stop the router
    // from writing the path's parameters into it).
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to handle the request; it has been logged",
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_with_the_json_error_and_the_app_goes_on() {
        let app = test::init_service(App::new().wrap(from_fn(catch_panics)).route(
            "/boom/{id}",
            web::get().to(|id: web::Path<u32>| async move {
                if *id == 1 {
                    panic!("a bug reached by input");
                }
                HttpResponse::Ok().body(id.to_string())
            }),
        ))
        .await;
        // Actix answers an error from a middleware with the error's own response.
        let error =
            test::try_call_service(&app, test::TestRequest::get().uri("/boom/1").to_request())
                .await
                .err()
                .map(|e| e.error_response());
        let res = error.expect("the panic became an error");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "internal_error");
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/boom/2").to_request()).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
}

//! Typed pagination: the core's paginator (the same one `client.paginate` drives), with each
//! page read into the operation's output type — one page at a time (`next_page`), as a
//! `futures_core::Stream` on the async transports ([`TypedPages::into_stream`]), as an
//! `Iterator` on the blocking one, or aggregated into one result ([`TypedPages::full_result`],
//! botocore's `build_full_result`).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use sansboto_core::runtime::{Client, Pages, Transport};
use sansboto_core::PaginationOptions;
use sansboto_core::Value;

use crate::call::{check_service, operation_error, output, TypedError, TypedOperation};
use crate::convert::IntoValue;
use crate::OperationError;

/// One page of operation `O`, or its error.
pub type Page<O> = Result<<O as TypedOperation>::Output, <O as TypedOperation>::Error>;

/// Paginate operation `O` from `input` (the client's `paginate`, with typed pages).
pub fn paginate<T: Transport, O: TypedOperation>(
    client: &Client<T>,
    input: O::Input,
    options: PaginationOptions,
) -> Result<TypedPages<'_, T, O>, O::Error> {
    check_service::<T, O>(client).map_err(O::Error::from_typed)?;
    let pages = client
        .paginate(O::NAME, input.into_value(), options)
        .map_err(|e| O::Error::from_typed(TypedError::Call(e)))?;
    Ok(TypedPages {
        client,
        pages,
        failed: false,
        operation: PhantomData,
    })
}

/// A pagination in progress, with the operation's output type as its pages.
///
/// After a page fails, the pagination ends (`None`): the core's paginator would otherwise ask
/// for the same page again, and a `Stream` or `for` loop would never finish. botocore's
/// paginator ends the same way, by raising.
pub struct TypedPages<'c, T: Transport, O> {
    client: &'c Client<T>,
    pages: Pages<'c, T>,
    failed: bool,
    operation: PhantomData<fn() -> O>,
}

/// The aggregate of every page ([`TypedPages::full_result`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FullResult<Output> {
    /// The result keys of every page concatenated, the other members from the pages, as
    /// botocore's `build_full_result` builds them.
    pub output: Output,
    /// Where to resume (botocore's `NextToken` of the full result), when `MaxItems` stopped
    /// the pagination early.
    pub next_token: Option<String>,
}

impl<'c, T: Transport, O: TypedOperation> TypedPages<'c, T, O> {
    /// The next page, or `None` at the end (and after a failed page).
    pub fn next_page(&mut self) -> T::Run<'_, Option<Page<O>>> {
        T::run(self.next_async())
    }

    async fn next_async(&mut self) -> Option<Page<O>> {
        if self.failed {
            return None;
        }
        let page = match self.pages.next_page_future().await? {
            Ok(page) => output::<O>(page),
            Err(e) => Err(operation_error::<T, O>(self.client, e)),
        };
        self.failed = page.is_err();
        Some(page)
    }

    /// The token to resume from, once pagination stopped at `MaxItems`.
    pub fn resume_token(&self) -> Option<&str> {
        self.pages.resume_token()
    }

    /// Every remaining page aggregated into one output (the client's `full_result`, read into
    /// the output type).
    pub fn full_result(self) -> T::Run<'c, Result<FullResult<O::Output>, O::Error>> {
        let Self { client, pages, .. } = self;
        T::run(async move {
            let full = pages
                .full_result_future()
                .await
                .map_err(|e| operation_error::<T, O>(client, e))?;
            let next_token = match &full {
                Value::Map(m) => m.get("NextToken").and_then(Value::as_str).map(String::from),
                _ => None,
            };
            Ok(FullResult {
                output: output::<O>(full)?,
                next_token,
            })
        })
    }

    /// The pages as a `futures_core::Stream` (tokio, async-std): the typed counterpart of the
    /// transports' `page_stream`.
    pub fn into_stream(self) -> TypedPageStream<'c, T, O> {
        TypedPageStream {
            idle: Some(self),
            fetching: None,
        }
    }
}

/// On the blocking transport, where a call returns its value, the pages are an `Iterator`
/// (the typed counterpart of `sansboto_blocking::page_iter`).
impl<'c, T, O> Iterator for TypedPages<'c, T, O>
where
    O: TypedOperation,
    T: Transport + for<'a> Transport<Run<'a, Option<Page<O>>> = Option<Page<O>>>,
{
    type Item = Page<O>;

    fn next(&mut self) -> Option<Page<O>> {
        self.next_page()
    }
}

/// The page being fetched, and the pagination it gives back with the page.
type PendingPage<'c, T, O> =
    Pin<Box<dyn Future<Output = (TypedPages<'c, T, O>, Option<Page<O>>)> + Send + 'c>>;

/// The pages of a typed pagination as a `futures_core::Stream` of `Result<Output, Error>`
/// ([`TypedPages::into_stream`]).
pub struct TypedPageStream<'c, T: Transport, O: TypedOperation> {
    /// The pagination between two pages (`None` while a page is fetched, and at the end).
    idle: Option<TypedPages<'c, T, O>>,
    /// The page being fetched.
    fetching: Option<PendingPage<'c, T, O>>,
}

impl<'c, T: Transport, O: TypedOperation> futures_core::Stream for TypedPageStream<'c, T, O> {
    type Item = Page<O>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Page<O>>> {
        let this = self.get_mut();
        if this.fetching.is_none() {
            let Some(mut pages) = this.idle.take() else {
                return Poll::Ready(None);
            };
            this.fetching = Some(Box::pin(async move {
                let page = pages.next_async().await;
                (pages, page)
            }));
        }
        let Some(fetching) = this.fetching.as_mut() else {
            return Poll::Ready(None);
        };
        let (pages, page) = std::task::ready!(fetching.as_mut().poll(cx));
        this.fetching = None;
        if page.is_some() {
            this.idle = Some(pages);
        }
        Poll::Ready(page)
    }
}

impl<'c, T: Transport, O: TypedOperation> futures_core::FusedStream for TypedPageStream<'c, T, O> {
    fn is_terminated(&self) -> bool {
        self.idle.is_none() && self.fetching.is_none()
    }
}

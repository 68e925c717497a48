//! What the transport learned about the request of the call in progress, for error messages.
//!
//! The generated client's errors do not say which request failed, and a documented error status
//! can arrive with a body that does not decode. Each facade call runs inside a task-local scope
//! holding a [`Recorded`]; the transport writes the method, path and last status into it, and the
//! call takes it back when the operation ends. The record lives in the task-local slot itself
//! (no shared pointer, no lock): only the task running the call ever touches it.

use std::cell::RefCell;
use std::num::{NonZeroU16, NonZeroU64};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use reqwest::Method;
use tokio::task::futures::TaskLocalFuture;

use crate::error::RequestLine;

tokio::task_local! {
    static CURRENT: RefCell<Recorded>;
}

/// What the transport recorded about one facade call. Kept small (32 bytes): the task-local
/// slot moves it in and out on every poll of the call.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    /// `METHOD path`, once a request was sent.
    line: Option<Box<str>>,
    status: Option<NonZeroU16>,
    oversized: Option<NonZeroU64>,
}

impl Recorded {
    /// Runs `future` with a fresh record visible to the transport, and hands the record back.
    /// A plain future around the operation's (no `async` block, which would hold the operation
    /// twice: once as its argument, once inside the scope it awaits).
    pub(crate) fn around<F: Future>(future: F) -> WithRecord<F> {
        WithRecord {
            scoped: CURRENT.scope(RefCell::default(), future),
        }
    }

    /// The method and path of the request, or an empty line when none was sent.
    pub(crate) fn request_line(&self) -> RequestLine {
        let (method, path) = self
            .line
            .as_deref()
            .and_then(|line| line.split_once(' '))
            .unwrap_or_default();
        RequestLine {
            method: method.to_owned(),
            path: path.to_owned(),
        }
    }

    /// Status of the last answer, if one arrived.
    pub(crate) fn status(&self) -> Option<u16> {
        self.status.map(NonZeroU16::get)
    }

    /// Size of a body dropped for exceeding the response size limit.
    pub(crate) fn oversized(&self) -> Option<u64> {
        self.oversized.map(NonZeroU64::get)
    }

    /// Whether the caller is a facade call (which never reads the headers of a success).
    pub(crate) fn in_facade_call() -> bool {
        CURRENT.try_with(|_| ()).is_ok()
    }

    fn update(change: impl FnOnce(&mut Recorded)) {
        // A no-op outside a facade call (requests made through the generated client directly).
        let _ = CURRENT.try_with(|cell| change(&mut cell.borrow_mut()));
    }

    /// Called by the transport once per call, before the first attempt.
    pub(crate) fn record_request(method: &Method, path: &str) {
        Self::update(|recorded| {
            let method = method.as_str();
            let mut line = String::with_capacity(method.len() + 1 + path.len());
            line.push_str(method);
            line.push(' ');
            line.push_str(path);
            recorded.line = Some(line.into_boxed_str());
        });
    }

    /// Called by the transport after each attempt: the answer's status, if one came, and the size
    /// of a body dropped for exceeding the limit. What an earlier attempt recorded says nothing
    /// about this one.
    pub(crate) fn record_attempt(status: Option<u16>, oversized: Option<u64>) {
        Self::update(|recorded| {
            recorded.status = status.and_then(NonZeroU16::new);
            // Larger than a limit of at least 0 bytes: never 0.
            recorded.oversized = oversized.and_then(NonZeroU64::new);
        });
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Recorded::around`].
    pub(crate) struct WithRecord<F: Future> {
        #[pin]
        scoped: TaskLocalFuture<RefCell<Recorded>, F>,
    }
}

impl<F: Future> Future for WithRecord<F> {
    type Output = (F::Output, Recorded);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut scoped = self.project().scoped;
        let output = ready!(scoped.as_mut().poll(cx));
        let recorded = scoped
            .take_value()
            .map(RefCell::into_inner)
            .unwrap_or_default();
        Poll::Ready((output, recorded))
    }
}

//! Lazy paging over the offset-based list operations.

use std::collections::{HashSet, VecDeque};

use futures::Stream;
use uuid::Uuid;

use crate::error::{Error, RequestLine};

/// Largest page the list operations accept.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;

/// Items a listing without `max_items` reads before it stops with an error, so that a server
/// that never sends a short page cannot keep it going forever.
pub(crate) const CEILING: usize = 100_000;

/// Page size and item cap of a listing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paging {
    pub page_size: u32,
    pub max_items: Option<usize>,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            page_size: MAX_PAGE_SIZE,
            max_items: None,
        }
    }
}

/// The error for a page size outside `1..=max`, if it is.
pub(crate) fn out_of_bounds(what: &str, size: u32, max: u32) -> Option<Error> {
    let message = format!("{what} {size} is out of bounds (1..={max})");
    (!(1..=max).contains(&size)).then(|| Error::InvalidInput(message.into()))
}

/// `CEILING`, `page_size`, `max_items` and `collect` for a listing type of `$item`s with a
/// `paging: Paging` field and a `stream` method.
macro_rules! listing_methods {
    ($listing:ty, $item:ty) => {
        impl $listing {
            /// Items a listing without [`max_items`](Self::max_items) reads before it ends with
            /// [`Error::Pagination`](crate::Error::Pagination) (a server that never sends a
            /// short page would otherwise keep it going forever).
            pub const CEILING: usize = crate::pagination::CEILING;

            /// Items per request, 1 to 100 (default 100).
            pub fn page_size(mut self, size: u32) -> Self {
                self.paging.page_size = size;
                self
            }
            /// Stop after this many items (any number, past the ceiling too); pages are sized so
            /// no more are fetched.
            pub fn max_items(mut self, cap: usize) -> Self {
                self.paging.max_items = Some(cap);
                self
            }

            /// All items (up to [`max_items`](Self::max_items)) in one vector.
            pub async fn collect(self) -> Result<Vec<$item>, crate::Error> {
                futures::TryStreamExt::try_collect(self.stream()).await
            }
        }
    };
}
pub(crate) use listing_methods;

/// Yields the items `next_page(buffer, yielded)` adds to the empty buffer, up to `max_items`,
/// until it returns `false` (no page follows). `invalid` (a bad argument) ends the stream at once.
pub(crate) fn read_pages<T, F>(
    invalid: Option<Error>,
    max_items: Option<usize>,
    next_page: F,
) -> impl Stream<Item = Result<T, Error>> + use<T, F>
where
    F: AsyncFnMut(&mut VecDeque<T>, usize) -> Result<bool, Error>,
{
    let state = Pages {
        invalid,
        next_page,
        buffer: VecDeque::new(),
        yielded: 0,
        more: true,
    };
    futures::stream::try_unfold(state, move |mut state| async move {
        if let Some(error) = state.invalid.take() {
            return Err(error);
        }
        loop {
            if max_items.is_some_and(|cap| state.yielded >= cap) {
                return Ok(None);
            }
            if let Some(item) = state.buffer.pop_front() {
                state.yielded += 1;
                return Ok(Some((item, state)));
            }
            if !state.more {
                return Ok(None);
            }
            state.more = (state.next_page)(&mut state.buffer, state.yielded).await?;
        }
    })
}

struct Pages<T, F> {
    invalid: Option<Error>,
    next_page: F,
    buffer: VecDeque<T>,
    yielded: usize,
    more: bool,
}

/// Streams the items `fetch(offset, limit)` returns page by page from `GET path`: requests
/// `min(page size, items still wanted)`, follows the offset, stops on a short or empty page,
/// skips items (by `id`) a shifting listing repeats, and stops with an error when a whole page
/// repeats (a server that ignores the offset).
pub(crate) fn offset_stream<T, F>(
    paging: Paging,
    path: &str,
    id: fn(&T) -> Uuid,
    mut fetch: F,
) -> impl Stream<Item = Result<T, Error>> + use<T, F>
where
    F: AsyncFnMut(u64, u64) -> Result<Vec<T>, Error>,
{
    let what = RequestLine::new("GET", path);
    let mut offset = 0;
    let mut seen = HashSet::new();
    let next_page = async move |buffer: &mut VecDeque<T>, yielded| {
        if paging.max_items.is_none() && yielded >= CEILING {
            return Err(Error::Pagination {
                request: what.clone(),
                message: format!(
                    "stopped after {CEILING} items, the ceiling of a listing without a \
                     maximum; set max_items to read further"
                ),
            });
        }
        let wanted = paging.max_items.map_or(usize::MAX, |cap| cap - yielded);
        let limit = (paging.page_size as usize).min(wanted).max(1) as u64;
        let page = fetch(offset, limit).await?;
        let received = page.len() as u64;
        offset += received;
        buffer.extend(page.into_iter().filter(|item| seen.insert(id(item))));
        if received > 0 && buffer.is_empty() {
            return Err(Error::Pagination {
                request: what.clone(),
                message: format!(
                    "the page at offset {} repeated items already listed; the server seems to ignore the offset",
                    offset - received
                ),
            });
        }
        Ok(received >= limit)
    };
    let invalid = out_of_bounds("page size", paging.page_size, MAX_PAGE_SIZE);
    read_pages(invalid, paging.max_items, next_page)
}

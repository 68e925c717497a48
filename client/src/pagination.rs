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

impl Paging {
    pub(crate) fn check(&self) -> Result<(), Error> {
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(Error::InvalidInput(format!(
                "page size {} is out of bounds (1..={MAX_PAGE_SIZE})",
                self.page_size
            )));
        }
        Ok(())
    }
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

struct State<T, F> {
    fetch: F,
    paging: Paging,
    offset: u64,
    yielded: usize,
    buffer: VecDeque<T>,
    seen: HashSet<Uuid>,
    done: bool,
    what: RequestLine,
}

/// Streams the items `fetch(offset, limit)` returns page by page from `GET path`: requests
/// `min(page size, items still wanted)`, follows the offset, stops on a short or empty page,
/// skips items (by `id`) a shifting listing repeats, and stops with an error when a whole page
/// repeats (a server that ignores the offset).
pub(crate) fn offset_stream<T, F>(
    paging: Paging,
    path: &str,
    id: fn(&T) -> Uuid,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + use<T, F>
where
    F: AsyncFnMut(u64, u64) -> Result<Vec<T>, Error>,
{
    let state = State {
        fetch,
        paging,
        offset: 0,
        yielded: 0,
        buffer: VecDeque::new(),
        seen: HashSet::new(),
        done: false,
        what: RequestLine::new("GET", path),
    };
    futures::stream::try_unfold(state, move |mut state| async move {
        // The closure runs again only after an item was yielded: none yet means the first call.
        if state.yielded == 0 {
            state.paging.check()?;
        }
        loop {
            if state
                .paging
                .max_items
                .is_some_and(|cap| state.yielded >= cap)
            {
                return Ok(None);
            }
            if let Some(item) = state.buffer.pop_front() {
                state.yielded += 1;
                return Ok(Some((item, state)));
            }
            if state.done {
                return Ok(None);
            }
            if state.paging.max_items.is_none() && state.yielded >= CEILING {
                return Err(Error::Pagination {
                    request: state.what.clone(),
                    message: format!(
                        "stopped after {CEILING} items, the ceiling of a listing without a \
                         maximum; set max_items to read further"
                    ),
                });
            }
            let wanted = state
                .paging
                .max_items
                .map_or(usize::MAX, |cap| cap - state.yielded);
            let limit = (state.paging.page_size as usize).min(wanted).max(1) as u64;
            let page = (state.fetch)(state.offset, limit).await?;
            let received = page.len();
            if (received as u64) < limit {
                state.done = true;
            }
            state.offset += received as u64;
            let mut fresh = 0;
            for item in page {
                if state.seen.insert(id(&item)) {
                    fresh += 1;
                    state.buffer.push_back(item);
                }
            }
            if received > 0 && fresh == 0 {
                return Err(Error::Pagination {
                    request: state.what.clone(),
                    message: format!(
                        "the page at offset {} repeated items already listed; the server seems to ignore the offset",
                        state.offset - received as u64
                    ),
                });
            }
        }
    })
}

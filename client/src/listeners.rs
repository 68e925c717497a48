//! Listeners (agents that run deployments in self-hosted clusters).

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, RequestLine};
use crate::pagination::{Paging, offset_stream};
use crate::types::Listener;

/// Listener operations; from [`Client::listeners`].
#[derive(Clone, Debug)]
pub struct Listeners<'a> {
    client: &'a Client,
}

impl Client {
    /// Listener operations.
    pub fn listeners(&self) -> Listeners<'_> {
        Listeners { client: self }
    }
}

impl Listeners<'_> {
    /// One listener.
    pub async fn get(&self, listener_id: Uuid) -> Result<Listener, Error> {
        self.client
            .call(async |api| api.get_listener().listener_id(listener_id).send().await)
            .await
    }

    /// All listeners of the workspace, fetched lazily.
    pub fn list(&self) -> ListListeners {
        ListListeners {
            client: self.client.clone(),
            paging: Paging::default(),
        }
    }
}

/// A listing of listeners, fetched lazily page by page.
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until streamed or collected"]
pub struct ListListeners {
    client: Client,
    paging: Paging,
}

crate::pagination::paging_setters!(ListListeners);

impl ListListeners {
    /// The listeners, one at a time.
    pub fn stream(self) -> BoxStream<'static, Result<Listener, Error>> {
        let what = RequestLine::new("GET", "/v2/listeners");
        let Self { client, paging } = self;
        offset_stream(paging, what, move |offset, limit| {
            let client = client.clone();
            async move {
                let page = client
                    .call(async |api| {
                        api.list_listeners()
                            .offset(offset)
                            .limit(u64::from(limit))
                            .send()
                            .await
                    })
                    .await?;
                Ok(page.resources)
            }
        })
        .boxed()
    }
    /// All listeners (up to the cap) in one vector.
    pub async fn collect(self) -> Result<Vec<Listener>, Error> {
        self.stream().try_collect().await
    }
}

//! Listeners (agents that run deployments in self-hosted clusters).

use futures::StreamExt;
use futures::stream::BoxStream;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
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

crate::pagination::listing_methods!(ListListeners, Listener);

impl ListListeners {
    /// The listeners, one at a time.
    pub fn stream(self) -> BoxStream<'static, Result<Listener, Error>> {
        let page = async move |offset, limit| {
            let page = self
                .client
                .call(async |api| {
                    api.list_listeners()
                        .offset(offset)
                        .limit(limit)
                        .send()
                        .await
                })
                .await?;
            Ok(page.resources)
        };
        offset_stream(self.paging, "/v2/listeners", |l: &Listener| l.id, page).boxed()
    }
}

//! A lead with the requester's email, shown when Salesforce has no contact with it.

use super::item_row::ViewInSalesforce;
use contract::api::LeadSummary;
use leptos::prelude::*;

/// The lead (`data-testid="lead"`): name (`lead-name`), company (`lead-company`), status
/// (`lead-status`) and its "View in Salesforce".
#[component]
pub fn LeadCard(lead: LeadSummary) -> impl IntoView {
    let LeadSummary {
        name,
        company,
        status,
        url,
        ..
    } = lead;
    view! {
        <div class="suggestion lead" data-testid="lead">
            <p class="suggestion-label">"Salesforce lead"</p>
            <div class="lead-card">
                <span class="choice-text">
                    <span class="choice-name" data-testid="lead-name">
                        {name}
                    </span>
                    {company
                        .map(|company| {
                            view! {
                                <span class="choice-sub" data-testid="lead-company">
                                    {company}
                                </span>
                            }
                        })}
                    {status
                        .map(|status| {
                            view! {
                                <span class="pill lead-status" data-testid="lead-status">
                                    {status}
                                </span>
                            }
                        })}
                </span>
                <ViewInSalesforce url=url />
            </div>
        </div>
    }
}

use super::format::{dialable, initials, is_web_url};
use leptos::prelude::*;
use shared::api::ContactCard;

/// The requester as Salesforce knows them: name, title, account, email, phone, and a
/// link to the record in the org's own UI.
#[component]
pub fn ContactCardView(contact: ContactCard) -> impl IntoView {
    let ContactCard {
        name,
        title,
        email,
        phone,
        account_name,
        url,
        ..
    } = contact;
    let initials = initials(&name);
    let has_fields = account_name.is_some() || email.is_some() || phone.is_some();

    let account = account_name.map(|account| {
        view! {
            <div class="field">
                <dt>"Account"</dt>
                <dd data-testid="account-name">{account}</dd>
            </div>
        }
    });
    let email = email.map(|email| {
        let href = format!("mailto:{email}");
        view! {
            <div class="field">
                <dt>"Email"</dt>
                <dd>
                    <a href=href data-testid="contact-email">
                        {email}
                    </a>
                </dd>
            </div>
        }
    });
    let phone = phone.map(|phone| {
        let href = format!("tel:{}", dialable(&phone));
        view! {
            <div class="field">
                <dt>"Phone"</dt>
                <dd>
                    <a href=href data-testid="contact-phone">
                        {phone}
                    </a>
                </dd>
            </div>
        }
    });
    let link = is_web_url(&url).then(|| {
        view! {
            <a
                class="button button-brand"
                href=url
                target="_blank"
                rel="noopener"
                data-testid="view-in-salesforce"
            >
                "View in Salesforce"
            </a>
        }
    });

    view! {
        <article class="card" data-testid="contact-card">
            <div class="card-head">
                <div class="avatar" aria-hidden="true">
                    {initials}
                </div>
                <div class="who">
                    <span class="kicker">"Contact"</span>
                    <h2 class="name" data-testid="contact-name">
                        {name}
                    </h2>
                    {title
                        .map(|title| {
                            view! {
                                <p class="job-title" data-testid="contact-title">
                                    {title}
                                </p>
                            }
                        })}
                </div>
            </div>
            {has_fields.then(|| view! { <dl class="fields">{account}{email}{phone}</dl> })}
            {link}
        </article>
    }
}

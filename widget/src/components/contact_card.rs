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

/// Up to two letters for the avatar: the first letters of the first and last words.
fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|word| word.chars().next());
    let last = words.last().and_then(|word| word.chars().next());
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

/// A phone number as a `tel:` URL wants it: digits and the dialling signs only.
fn dialable(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '+' | '*' | '#' | ',' | ';'))
        .collect()
}

/// Only `http(s)` links are rendered: a record URL is never a `javascript:` one.
fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

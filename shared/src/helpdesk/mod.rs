//! The helpdesk (Zoho Desk API shape): wire formats, webhooks and the REST client.

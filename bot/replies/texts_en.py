"""Every user-facing string in English, mirroring bot/replies/texts_id.py; a key missing here
(most moderators' strings) falls back to Indonesian. Look strings up with texts.text().
"""

from __future__ import annotations

EN: dict[str, str] = {
    "start": (
        "👋 <b>Hi, this is CekKlaim.</b>\n\n"
        "Send or forward an election claim you saw: text, a link, or a photo/video with a "
        "caption. I match it with <b>official statements by KPU and Bawaslu</b> and show what "
        "the body said, with its source and date.\n\n"
        "I am <b>not</b> KPU or Bawaslu and do not judge claims myself. If there is no official "
        "statement yet, I say so and record it for the moderators.\n\n"
        "Try: <code>/cek pemilu 2024 diundur</code> · /bantuan · /bahasa"
    ),
    "help": (
        "<b>How to use CekKlaim</b>\n\n"
        "• Send a claim, paste a link, or forward a post from a group or channel.\n"
        "• Photos and videos: the caption is checked. Voice notes, videos or documents "
        "without words are recorded for the moderators.\n"
        "• In groups: reply /cek to a message.\n\n"
        "<b>Commands</b>\n"
        "{commands}\n\n"
        "Answers always name the official body, the date and the source link."
    ),
    "about": (
        "<b>About CekKlaim</b>\n\n"
        "<b>What I do.</b> You send election news you received. I look for whether KPU, "
        "Bawaslu or the Ministry of Communication and Digital Affairs has officially explained "
        "it, and show you what they said, when, and the link to the source.\n\n"
        "<b>Where answers come from.</b> Only from those bodies' official explanations, or "
        "trusted news reports quoting them, chosen and checked by our moderators. There are "
        "{count} explanations now. I do not judge news true or false myself.\n\n"
        "<b>How often I am right.</b> {quality}\n\n"
        "News with no explanation yet is recorded for the moderators. Press <i>Notify me</i> "
        "under an answer and I will tell you once an official explanation is out."
    ),
    "commands": (
        "/cek &lt;text&gt; — check a claim\n"
        "/bantuan — how to use\n"
        "/tentang — sources and how it works\n"
        "/bahasa — change language\n"
        "/berhenti — delete all your notification requests"
    ),
    "cmd_start": "Start",
    "cmd_cek": "Check a claim",
    "cmd_bantuan": "How to use",
    "cmd_tentang": "Sources and how it works",
    "cmd_bahasa": "Change language",
    "cmd_berhenti": "Delete notification requests",
    "cek_usage": "Write the claim after the command, e.g.:\n<code>/cek pemilu 2024 diundur</code>",
    "howto": (
        "Sorry, I can only read text and the words in pictures. Send the claim as text or a "
        "screenshot, or a video with a caption. Example: <code>pemilu 2024 diundur</code>"
    ),
    "photo_read": "📷 The words I read in the picture:\n<i>«{excerpt}»</i>",
    "photo_known": "📷 Our moderators already know this picture.",
    "photo_unreadable": (
        "Sorry, I cannot read the words in this picture. Type or copy the news as text and "
        "send it to me. Example: <code>pemilu 2024 diundur</code>"
    ),
    "photo_busy": (
        "Sorry, I am reading many pictures right now. Send the picture again in a little "
        "while, or type the news as text. Example: <code>pemilu 2024 diundur</code>"
    ),
    "talk_greeting": (
        "Hello 👋 Send or forward any election news you want to check, and I will look for "
        "what KPU or Bawaslu officially said about it."
    ),
    "talk_thanks": "You are welcome 🙏 Send any other news you want to check, any time.",
    "talk_ack": "👍 Got it. Send any other news you want to check, any time.",
    "media_recorded": (
        "I cannot listen to or open this file yet. It was <b>recorded for the moderators</b>, "
        "who will look at it.\n\n"
        "If it has words or a message, send them as text and I can check them at once. Press "
        "<i>Notify me</i> and I will tell you once an official statement is out."
    ),
    "unknown_command": "I don't know that command. See /bantuan.",
    "rate_limited": "Slow down a little 🙏 You sent many messages this minute. Try again soon.",
    "error_recorded": (
        "Sorry, something went wrong on our side. Your claim is recorded; try again later."
    ),
    "error": (
        "Sorry, something went wrong on our side and your message was <b>not recorded</b>. "
        "Please send it again in a little while."
    ),
    "verdict_HOAKS": "🔴 HOAX",
    "verdict_SALAH": "🔴 FALSE",
    "verdict_DISINFORMASI": "🔴 DISINFORMATION",
    "verdict_MISINFORMASI": "🟠 MISINFORMATION",
    "verdict_MENYESATKAN": "🟠 MISLEADING",
    "verdict_KLARIFIKASI": "🔵 CLARIFICATION",
    "verdict_BENAR": "🟢 TRUE",
    "card_claim": "Circulating claim",
    "card_official": "Official statement by {org}",
    "card_source": "Source",
    "card_polarity": (
        "ℹ️ Your message seems to say the opposite of the claim above. Here is the official "
        "statement on this topic."
    ),
    "card_superseded": "⚠️ This statement is no longer current (superseded by: {new}).",
    "card_retired": "⚠️ This statement was archived and is no longer current.",
    "card_truncated": "… (more at the source)",
    "no_date": "undated",
    "btn_source": "🔗 Open source",
    "btn_page": "🌐 Web page",
    "btn_helpful": "👍 Helpful",
    "btn_wrong": "👎 Not this",
    "btn_none_of_these": "None of these fit",
    "btn_notify": "🔔 Notify me",
    "btn_whatsapp": "📤 WhatsApp",
    "share_official": "{org} officially:",
    "possible": (
        "I have <b>no sure answer yet</b>. Maybe you mean one of these official statements "
        "(in front of each: the official verdict on that claim):\n\n{options}\n\n"
        "Pick the one that fits to read its explanation. If none does, press <i>None of these "
        "fit</i>, or <i>Notify me</i> and I will tell you once an official statement is out."
    ),
    "none": (
        "No official KPU or Bawaslu statement covers this claim yet. Your claim was "
        "<b>recorded for the moderators</b>.\n\n"
        "Press <i>Notify me</i> and I will tell you once an official statement is out. "
        "Meanwhile, be careful about sharing it."
    ),
    "too_short": (
        "The text is too short to check with confidence. Write the claim more fully, e.g. "
        "<code>pemilu 2024 diundur ke bulan juni</code>."
    ),
    "ack_helpful": "Thanks for the feedback!",
    "ack_wrong": "Thanks. This claim was passed to the moderators for review.",
    "ack_already": "Your feedback is already recorded.",
    "ack_notify": "Done, I will notify you once when there is an official statement.",
    "ack_notify_already": "You are already signed up for this claim.",
    "ack_none_of_these": "OK. This claim was recorded for the moderators.",
    "ack_stale": "This button has expired. Please send the claim again.",
    "stopped": "All your notification requests ({count}) were deleted.",
    "language_prompt": "Pilih bahasa / Choose a language:",
    "language_set": "Language set to English.",
    "statement_missing": "That statement was not found.",
    "quality": (
        "Tested on thousands of hoaxes that really circulated: when the bot answers with "
        "confidence, it is right 98 times in 100. When there is no official statement yet, "
        "it says so plainly."
    ),
    "statement_from_link": "This link is the source of an official statement:",
    # The "Kabari saya" notification and the refusals of moderator commands; the other
    # moderators' strings fall back to Indonesian, which moderators work in.
    "notify_header": "🔔 There is an official statement on the claim you asked about:",
    "mod_refused": "Sorry, this command is for CekKlaim moderators only.",
    "admin_refused": "Sorry, this command is for CekKlaim admins only.",
    # Group chats and inline mode.
    "group_intro": (
        "👋 <b>Hi, this is CekKlaim.</b> I match election claims with <b>official statements "
        "by KPU and Bawaslu</b>.\n\n"
        "How to ask: <b>reply</b> /cek to a message, or mention {mention} in a reply. "
        "<code>/cek the claim text</code> works too.\n"
        "Group admins can set up automatic checking of forwarded posts with /pengaturan."
    ),
    "group_usage": "Reply /cek to the message to check, or write <code>/cek the claim</code>.",
    "group_unreadable": "That message has no text I can check.",
    "group_unsure": (
        "No official statement surely matches this claim yet. It was recorded for the "
        "moderators. Send the claim to me in a private chat to see what might answer it."
    ),
    "btn_check_private": "💬 Check in a private chat",
    "group_none": (
        "No official KPU or Bawaslu statement covers this claim yet. It was recorded for the "
        "moderators."
    ),
    "group_from_link": "This link is the source of an official statement:",
    "short_polarity": "ℹ️ This message seems to say the opposite of the claim below.",
    "btn_full": "📄 Read more",
    "btn_share": "📤 Share",
    "settings": (
        "<b>CekKlaim settings for this group</b>\n\n"
        "Automatic check of forwarded posts: <b>{auto}</b>\n"
        "Sensitivity: <b>{sensitivity}</b>\n\n"
        "In automatic mode I only answer forwarded posts that <b>confidently</b> match an "
        "official statement, and stay quiet otherwise. <i>Strict</i> sensitivity answers only "
        "very strong matches."
    ),
    "settings_need_access": (
        "\n\nℹ️ To see forwarded posts, make me a group admin (no extra permissions needed)."
    ),
    "settings_on": "ON",
    "settings_off": "OFF",
    "sensitivity_normal": "normal",
    "sensitivity_strict": "strict",
    "btn_auto_on": "✅ Turn automatic check on",
    "btn_auto_off": "⏸ Turn automatic check off",
    "btn_sensitivity_normal": "Sensitivity: normal",
    "btn_sensitivity_strict": "Sensitivity: strict",
    "settings_not_admin": "Sorry, only group admins can change the settings. 🙏",
    "settings_anonymous": (
        "I cannot verify anonymous admins. Turn anonymity off for a moment, then send "
        "/pengaturan again."
    ),
    "settings_private": "/pengaturan is for groups: add me to a group and send it there.",
    "ack_settings_saved": "Saved.",
    "ack_settings_not_admin": "Only group admins can change the settings.",
    "cmd_pengaturan": "Group settings (admins)",
    "inline_hint": "Type the claim to check…",
    "inline_no_match": "No matching official statement yet",
    "inline_missing": "That statement was not found",
    "inline_description": "{org} · {date}",
    # Official sources over HTTP: failed fetches and links.
    "fetch_bad_url": "the link is incomplete or invalid",
    "fetch_scheme": "only http(s) links can be opened",
    "fetch_dns": "the site name was not found",
    "fetch_blocked_address": "that address is on an internal network and is not opened",
    "fetch_too_many_redirects": "too many redirects",
    "fetch_timeout": "the site took too long to answer",
    "fetch_too_large": "the page is too large (max. 2 MB)",
    "fetch_content_type": "it is not a web page or a feed",
    "fetch_http_status": "the site refused or the page does not exist",
    "fetch_network": "the site could not be reached",
    "fetch_encoding": "the site sent compressed content that is broken or not supported",
    "fetch_unreadable": "the page is too complex to read within the time limit",
    "link_fetch_failed": (
        "ℹ️ The link could not be opened ({reason}); I matched the text there is."
    ),
    "statement_from_seen_link": (
        "This link was asked about before and answered with this official statement:"
    ),
}

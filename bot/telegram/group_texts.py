"""Strings for group chats and inline mode, Indonesian first; to be merged into texts.py.

Same conventions as texts.py: HTML, str.format placeholders whose values the caller escapes.
`gtext` looks here first and falls back to texts.py, so once these dicts are merged into
`texts.ID`/`texts.EN` every `gtext(...)` can become `text(...)` unchanged.
"""

from __future__ import annotations

from bot.telegram.texts import text

ID: dict[str, str] = {
    "group_intro": (
        "👋 <b>Halo, ini CekKlaim.</b> Saya mencocokkan klaim soal pemilu dengan "
        "<b>pernyataan resmi KPU dan Bawaslu</b>.\n\n"
        "Cara bertanya: <b>balas</b> sebuah pesan dengan /cek, atau sebut {mention} saat "
        "membalas. Bisa juga <code>/cek teks klaimnya</code>.\n"
        "Admin grup dapat mengatur pemeriksaan otomatis pesan terusan dengan /pengaturan."
    ),
    "group_usage": (
        "Balas pesan yang ingin dicek dengan /cek, atau tulis <code>/cek teks klaimnya</code>."
    ),
    "group_unreadable": "Pesan itu tidak berisi teks yang bisa saya cek.",
    "group_possible": (
        "Saya belum yakin. Mungkin yang dimaksud salah satu pernyataan ini:\n{options}\n"
        "Buka untuk penjelasan lengkap di chat pribadi."
    ),
    "group_none": (
        "Belum ada pernyataan resmi KPU atau Bawaslu tentang klaim ini. Sudah dicatat untuk "
        "moderator."
    ),
    "group_from_link": "Tautan ini adalah sumber pernyataan resmi:",
    "short_polarity": "ℹ️ Pesan ini tampaknya menyatakan kebalikan klaim di bawah.",
    "btn_full": "📄 Selengkapnya",
    "btn_share": "📤 Bagikan",
    "settings": (
        "<b>Pengaturan CekKlaim di grup ini</b>\n\n"
        "Cek otomatis pesan terusan: <b>{auto}</b>\n"
        "Kepekaan: <b>{sensitivity}</b>\n\n"
        "Dalam mode otomatis saya hanya menjawab pesan terusan yang <b>yakin</b> cocok dengan "
        "pernyataan resmi, dan diam bila tidak. Kepekaan <i>ketat</i> hanya menjawab kecocokan "
        "yang sangat kuat."
    ),
    "settings_need_access": (
        "\n\nℹ️ Agar bisa melihat pesan terusan, jadikan saya admin grup (tanpa izin "
        "tambahan apa pun)."
    ),
    "settings_on": "AKTIF",
    "settings_off": "MATI",
    "sensitivity_normal": "normal",
    "sensitivity_strict": "ketat",
    "btn_auto_on": "✅ Nyalakan cek otomatis",
    "btn_auto_off": "⏸ Matikan cek otomatis",
    "btn_sensitivity_normal": "Kepekaan: normal",
    "btn_sensitivity_strict": "Kepekaan: ketat",
    "settings_not_admin": "Maaf, pengaturan hanya dapat diubah oleh admin grup. 🙏",
    "settings_anonymous": (
        "Saya tidak dapat memastikan admin anonim. Nonaktifkan sebentar mode anonim, lalu "
        "kirim /pengaturan lagi."
    ),
    "settings_private": (
        "/pengaturan dipakai di grup: tambahkan saya ke grup, lalu kirim perintah itu di sana."
    ),
    "ack_settings_saved": "Tersimpan.",
    "ack_settings_not_admin": "Hanya admin grup yang dapat mengubah pengaturan.",
    "cmd_pengaturan": "Pengaturan grup (admin)",
    "inline_hint": "Ketik klaim yang ingin dicek…",
    "inline_no_match": "Belum ada pernyataan resmi yang cocok",
    "inline_missing": "Pernyataan itu tidak ditemukan",
    "inline_description": "{org} · {date}",
}

EN: dict[str, str] = {
    "group_intro": (
        "👋 <b>Hi, this is CekKlaim.</b> I match election claims with <b>official statements "
        "by KPU and Bawaslu</b>.\n\n"
        "How to ask: <b>reply</b> /cek to a message, or mention {mention} in a reply. "
        "<code>/cek the claim text</code> works too.\n"
        "Group admins can set up automatic checking of forwarded posts with /pengaturan."
    ),
    "group_usage": "Reply /cek to the message to check, or write <code>/cek the claim</code>.",
    "group_unreadable": "That message has no text I can check.",
    "group_possible": (
        "I am not sure yet. Maybe one of these statements is meant:\n{options}\n"
        "Open one for the full explanation in a private chat."
    ),
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
}

CATALOGUES: dict[str, dict[str, str]] = {"id": ID, "en": EN}


def gtext(language: str, key: str, **values: object) -> str:
    """The string for `key` in `language`: this module first (Indonesian when missing in
    the language), then texts.py."""
    if key not in ID:
        return text(language, key, **values)
    template = CATALOGUES.get(language, ID).get(key, ID[key])
    return template.format(**values) if values else template

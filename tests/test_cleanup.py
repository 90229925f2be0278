"""kb.cleanup on small examples taken from the corpus (no database)."""

from kb.cleanup import (
    clean_extracted_text,
    detect_style,
    fix_radicals,
    join_wrapped_lines,
    sentences,
)


def test_kangxi_radical_becomes_ordinary_kanji() -> None:
    assert fix_radicals("理事\u2fa7の藤崎") == "理事長の藤崎"  # ⾧ (U+2FA7) → 長


def test_cjk_radicals_supplement_is_mapped() -> None:
    assert fix_radicals("\u2e9f") == "母"  # ⺟ → 母
    assert fix_radicals("\u2ee9") == "\u2ee9"  # no decomposition: kept as is


def test_fix_radicals_leaves_full_width_forms_alone() -> None:
    text = "（上・プレゼン編）「デジタル」１つ、ＡＩ"
    assert fix_radicals(text) == text


def test_wrap_inside_katakana_word_is_removed() -> None:
    text = "中国で提供されたサービスをもって「コロナテッ\nク」と言われます"
    assert join_wrapped_lines(text, "prose") == "中国で提供されたサービスをもって「コロナテック」と言われます\n"


def test_wrap_inside_kanji_word_is_removed() -> None:
    text = "がフィナンシャル・インクルージョン（金\n融包摂）の実現を可能に"
    assert "（金融包摂）" in join_wrapped_lines(text, "prose")


def test_wrap_between_latin_words_becomes_one_space() -> None:
    text = "2016年創業の排列科技は、インドネシアのPanca Global\nKapital社と提携し"
    assert "Panca Global Kapital社" in join_wrapped_lines(text, "prose")


def test_wrap_between_latin_and_kana_adds_no_space() -> None:
    text = "同社は、Androidスマー\nトフォン向けに"
    assert join_wrapped_lines(text, "prose") == "同社は、Androidスマートフォン向けに\n"


def test_blanks_between_slide_labels_are_kept() -> None:
    text = "菜鳥 蜂鳥配送\nデジタル化\n\nエリア単位 都市単位\n\n客層別 消費目的別\n"
    out = join_wrapped_lines(text, "slides")
    assert "菜鳥 蜂鳥配送" in out
    assert "エリア単位 都市単位" in out
    assert "客層別 消費目的別" in out
    assert "菜鳥 蜂鳥配送デジタル化" not in out  # short labels are not wraps


def test_bullet_items_stay_on_their_own_lines_and_absorb_their_wraps() -> None:
    text = "•国内EC\n•海外EC\n\n• 顧客起点で、オンラインとオフラインを融\n合\n"
    out = join_wrapped_lines(text, "slides")
    assert out.split("\n")[:2] == ["•国内EC", "•海外EC"]
    assert "• 顧客起点で、オンラインとオフラインを融合" in out


def test_numbered_headings_and_paragraph_breaks_are_kept() -> None:
    text = (
        "ビジネス機会もともに大きいと考えられる。\n\n"
        "1. B2Cデジタル・サービス企業が\n けん引する中国企業の一帯一路進出\n\n"
        "本書はまず、中国のデジタル企業の一帯一路沿線国\nへの進出状況を概観している。\n"
    )
    assert join_wrapped_lines(text, "prose").split("\n\n") == [
        "ビジネス機会もともに大きいと考えられる。",
        "1. B2Cデジタル・サービス企業がけん引する中国企業の一帯一路進出",
        "本書はまず、中国のデジタル企業の一帯一路沿線国への進出状況を概観している。\n",
    ]


def test_list_marker_lines_are_not_joined() -> None:
    text = "●対話・交流\n●科学技術パーク\n\n中国とロシアの政府や省庁の間で\n交流が増加している。\n"
    out = join_wrapped_lines(text, "prose")
    assert out == "●対話・交流\n●科学技術パーク\n\n中国とロシアの政府や省庁の間で交流が増加している。\n"
    slides = join_wrapped_lines("・電子契約書\n・本人認証\n\n① 官民連携\n② 計算資源\n", "slides")
    assert slides == "・電子契約書\n・本人認証\n\n① 官民連携\n② 計算資源\n"


def test_page_break_inside_sentence_is_joined_in_prose() -> None:
    text = (
        "や同アプリの利用履歴をビッグデータとして集約の上、そ\n"
        "こから算出した個人の取引信用度に関するスコアリング情\n\n"
        "報を金融機関に提供している。同社は信用リスクをより正\n"
    )
    assert "スコアリング情報を金融機関に提供している。" in join_wrapped_lines(text, "prose")
    assert "\n\n" not in join_wrapped_lines(text, "prose")


def test_short_heading_before_blank_line_is_not_joined() -> None:
    text = "パートナーシップの優先事項\n\n中ロ関係が「新時代」に入っていく中で、通信が挙げられる。\n"
    assert join_wrapped_lines(text, "prose").startswith("パートナーシップの優先事項\n\n")


def test_double_spaced_transcript() -> None:
    raw = (
        " 中曽根平和研究所「デジタル技術と経済・金融」研究会 \n\n \n\n＜岩田＞ \n\n"
        "皆さんおはようございます。 \n\n"
        "中曽根平和研究所、デジタル技術と経済・金融 第１回の研究会を開催します。最初に理事⾧の藤 \n\n"
        "崎からご挨拶です。 \n\n \n\n"
        "アリババ、テンセントに代表される、中国のデジタルプラットフォーマーは、コアビジネスである \n\n"
        "アリババ=電子商取引、テンセント=コミュニケーション+ゲーム の範囲にとどまらずに、さまざ \n\n"
        "まな中小企業にビジネスインフラを提供することを通じて成⾧してきました。 \n\n"
        "しかし、中国政府は基本的には黙認の姿勢を取りました。その後、アリペイに追随するサービ \n\n"
        "スが乱立するなかで、2011 年に第 \n\n"
        "三者支払ライセンス制度が制定され、事業者の絞り込みが行われました。 \n\n"
    )
    assert detect_style(raw) == "double"
    out = clean_extracted_text(raw)
    assert "\n\n＜岩田＞\n\n皆さんおはようございます。\n\n" in out
    assert "最初に理事長の藤崎からご挨拶です。" in out
    assert "コミュニケーション+ゲーム の範囲にとどまらずに、さまざまな中小企業" in out
    assert "2011 年に第三者支払ライセンス制度が制定され、" in out
    assert " \n" not in out  # trailing spaces stripped


def test_url_broken_at_hyphen_is_rejoined_without_space() -> None:
    text = (
        "https://www.fxcintel.com/research/analysis/how-big-tech-could-change-the-cross-border-\n"
        "payments-industry\n最後に、Big Tech と地政学に関する論調を２つご紹介します。\n"
    )
    out = join_wrapped_lines(text, "prose")
    assert out.split("\n")[0].endswith("cross-border-payments-industry")
    assert out.split("\n")[1].startswith("最後に")


def test_clean_extracted_text_handles_odd_spaces_and_blank_runs() -> None:
    raw = "中国\u00a0データ\u200b商\n\n\n\n\n本共同研究"
    assert clean_extracted_text(raw, "prose") == "中国 データ商\n\n本共同研究\n"


def test_clean_extracted_text_strips_converter_markup() -> None:
    raw = (
        "## 野村総合研究所、共同研究の成果を公表\n\n"
        "推進することを提言しました<sup>1</sup>。\n\n"
        "1 詳細は [https://www.nri.com/jp/news/info/20240313\\\\_1.html]"
        "(https://www.nri.com/jp/news/info/20240313_1.html)\n"
    )
    assert clean_extracted_text(raw, "prose").split("\n\n") == [
        "野村総合研究所、共同研究の成果を公表",
        "推進することを提言しました¹。",
        "1 詳細は https://www.nri.com/jp/news/info/20240313_1.html\n",
    ]


def test_sentences_split_on_japanese_full_stops_and_line_ends() -> None:
    text = "中ロ同盟の成立か？と先走る。結論的に言えば、困難である。\n見出し\n「一人一人の市民の健康状態を可視化する。」ような"
    assert sentences(text) == [
        "中ロ同盟の成立か？",
        "と先走る。",
        "結論的に言えば、困難である。",
        "見出し",
        "「一人一人の市民の健康状態を可視化する。」",
        "ような",
    ]

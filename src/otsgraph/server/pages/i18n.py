"""The pages' words in English, Kazakh, Russian and Turkish, and which language a request wants.

The language comes from `?lang=` (kept in a cookie so it sticks), then the cookie, then English.
It chooses both the interface strings and the label language of every IRI a page shows; a label
language the graph lacks (Turkish, where no @tr label is given) falls back to English (links.label_of).

The interface languages (UI_LANGUAGES) are not the label languages (namespaces.LANGUAGES: en, kk,
ru, which every entity and term must have and which search, /reconcile and Wikidata read).
"""

from __future__ import annotations

from flask import request

from otsgraph.pipeline.docs_html import PHRASES

DEFAULT = "en"
COOKIE = "lang"
#: the interface's languages, in the order the switcher offers them and _TABLE holds them
UI_LANGUAGES = ("en", "kk", "ru", "tr")
LANGUAGE_NAMES = {"en": "English", "kk": "Қазақша", "ru": "Русский", "tr": "Türkçe"}

# key: (en, kk, ru, tr)
_TABLE: dict[str, tuple[str, str, str, str]] = {
    "nav_query": ("Query", "Сұраныс", "Запрос", "Sorgu"),
    "nav_timeline": ("Timeline", "Хронология", "Хронология", "Zaman çizelgesi"),
    "nav_search": ("Search", "Іздеу", "Поиск", "Arama"),
    "nav_downloads": ("Downloads", "Жүктеп алу", "Скачать", "İndirmeler"),
    "language": ("Language", "Тіл", "Язык", "Dil"),
    "tagline": (
        "A knowledge graph of the Organization of Turkic States",
        "Түркі мемлекеттері ұйымы туралы білім графы",
        "Граф знаний об Организации тюркских государств",
        "Türk Devletleri Teşkilatı üzerine bir bilgi grafı",
    ),
    "search_placeholder": ("Search by name…", "Атауы бойынша іздеу…", "Поиск по названию…", "Ada göre ara…"),
    "search_button": ("Search", "Іздеу", "Найти", "Ara"),
    "query_heading": ("SPARQL query", "SPARQL сұранысы", "SPARQL-запрос", "SPARQL sorgusu"),
    "examples": ("Example queries", "Сұраныс мысалдары", "Примеры запросов", "Örnek sorgular"),
    "run": ("Run", "Орындау", "Выполнить", "Çalıştır"),
    "keyboard_help": (
        "Ctrl+Enter (⌘+Enter) runs the query; Esc then Tab leaves the editor.",
        "Ctrl+Enter (⌘+Enter) сұранысты орындайды; Esc, содан кейін Tab редактордан шығарады.",
        "Ctrl+Enter (⌘+Enter) выполняет запрос; Esc, затем Tab — выход из редактора.",
        "Ctrl+Enter (⌘+Enter) sorguyu çalıştırır; Esc ve ardından Tab düzenleyiciden çıkar.",
    ),
    "results": ("Results", "Нәтижелер", "Результаты", "Sonuçlar"),
    "download": ("Download", "Жүктеп алу", "Скачать", "İndir"),
    "permalink": ("Permalink", "Тұрақты сілтеме", "Постоянная ссылка", "Kalıcı bağlantı"),
    "rows": ("{n} rows in {ms} ms", "{n} жол, {ms} мс", "{n} строк за {ms} мс", "{n} satır, {ms} ms"),
    "running": ("Running…", "Орындалуда…", "Выполняется…", "Çalışıyor…"),
    "error": ("Error", "Қате", "Ошибка", "Hata"),
    "yes": ("Yes", "Иә", "Да", "Evet"),
    "no": ("No", "Жоқ", "Нет", "Hayır"),
    "no_results": ("No results.", "Нәтиже жоқ.", "Нет результатов.", "Sonuç yok."),
    "truncated": (
        "Showing the first {n} rows; the downloads hold them all.",
        "Алғашқы {n} жол көрсетілді; толығы жүктеп алынатын файлдарда.",
        "Показаны первые {n} строк; полностью — в файлах для скачивания.",
        "İlk {n} satır gösteriliyor; tamamı indirilebilir dosyalarda.",
    ),
    "no_js": (
        "Running queries here needs JavaScript; the download links work without it.",
        "Сұранысты осы бетте орындау үшін JavaScript керек; жүктеп алу сілтемелері онсыз да жұмыс істейді.",
        "Для выполнения запроса на странице нужен JavaScript; ссылки для скачивания работают и без него.",
        "Sorguları bu sayfada çalıştırmak için JavaScript gerekir; indirme bağlantıları onsuz da çalışır.",
    ),
    "labels": ("Labels", "Атаулары", "Названия", "Adlar"),
    "also_called": ("Also called", "Басқа атаулары", "Другие названия", "Diğer adları"),
    "types": ("Types", "Түрлері", "Типы", "Türler"),
    "facts_out": ("Facts about it", "Ол туралы деректер", "Факты о нём", "Hakkındaki bilgiler"),
    "facts_in": (
        "Facts that point to it",
        "Оған сілтейтін деректер",
        "Факты, ссылающиеся на него",
        "Ona işaret eden bilgiler",
    ),
    "subject": ("Subject", "Субъект", "Субъект", "Özne"),
    "property": ("Property", "Қасиет", "Свойство", "Özellik"),
    "value": ("Value", "Мәні", "Значение", "Değer"),
    "source": ("Source", "Дереккөз", "Источник", "Kaynak"),
    "inferred": ("inferred", "шығарылған", "выведено", "çıkarsanmış"),
    "why": ("why?", "неге?", "почему?", "neden?"),
    "asserted": ("asserted", "бекітілген", "утверждено", "belirtilmiş"),
    "background": ("background", "қосымша дерек", "фоновый факт", "arka plan bilgisi"),
    "ontology": ("ontology", "онтология", "онтология", "ontoloji"),
    "provenance": ("provenance", "дереккөз сипаттамасы", "происхождение", "köken"),
    "link": ("link", "сілтеме", "ссылка", "bağlantı"),
    "added": ("added", "қосылған", "добавлено", "eklenmiş"),
    "from_background": (
        "rests on background",
        "қосымша дерекке сүйенеді",
        "опирается на фоновые данные",
        "arka plan bilgisine dayanır",
    ),
    "other_graph": ("graph", "граф", "граф", "graf"),
    "claim": ("claim", "тұжырым", "утверждение", "önerme"),
    "wikidata": ("Wikidata", "Уикидерек", "Викиданные", "Vikiveri"),
    "neighbourhood": ("Neighbourhood", "Байланыстары", "Связи", "Bağlantıları"),
    "as_rdf": ("As data:", "Дерек ретінде:", "Как данные:", "Veri olarak:"),
    "more_rows": (
        "Only the first {n} are shown.",
        "Алғашқы {n} ғана көрсетілді.",
        "Показаны только первые {n}.",
        "Yalnızca ilk {n} tanesi gösteriliyor.",
    ),
    "not_found": ("Not found", "Табылмады", "Не найдено", "Bulunamadı"),
    "not_found_text": (
        "The graph has nothing with this IRI.",
        "Графта мұндай IRI-мен ештеңе жоқ.",
        "В графе нет ничего с таким IRI.",
        "Grafta bu IRI ile hiçbir şey yok.",
    ),
    "bad_request": ("Bad request", "Қате сұраныс", "Неверный запрос", "Hatalı istek"),
    "explain_heading": (
        "Why does this hold?",
        "Бұл неге орындалады?",
        "Почему это верно?",
        "Bu neden geçerli?",
    ),
    "explain_intro": (
        "The rule and the premises that derive the fact, down to asserted triples.",
        "Деректі шығаратын ереже мен алғышарттар, бекітілген үштіктерге дейін.",
        "Правило и посылки, из которых выводится факт, вплоть до утверждённых троек.",
        "Bilgiyi türeten kural ve öncüller, belirtilmiş üçlülere kadar.",
    ),
    "explain_asserted": (
        "This fact is asserted, not inferred.",
        "Бұл дерек шығарылмаған, бекітілген.",
        "Этот факт утверждён, а не выведен.",
        "Bu bilgi çıkarsanmış değil, belirtilmiştir.",
    ),
    "explain_unknown": (
        "This triple is neither asserted nor inferred.",
        "Бұл үштік бекітілмеген де, шығарылмаған да.",
        "Эта тройка не утверждена и не выведена.",
        "Bu üçlü ne belirtilmiş ne de çıkarsanmıştır.",
    ),
    "rule": ("rule", "ереже", "правило", "kural"),
    "timeline_heading": (
        "Summits, visits and agreements",
        "Саммиттер, сапарлар мен келісімдер",
        "Саммиты, визиты и соглашения",
        "Zirveler, ziyaretler ve anlaşmalar",
    ),
    "timeline_intro": (
        "In date order, with dates as precise as the article gives them. Agreements include treaties,"
        " declarations and other instruments. Each mark opens its page.",
        "Күні бойынша ретімен, күндер мақаладағы дәлдікпен берілген. Келісімдерге шарттар, "
        "декларациялар және басқа құжаттар кіреді. Әр белгі өз бетін ашады.",
        "По дате, с той точностью, с какой её даёт статья. К соглашениям отнесены договоры, "
        "декларации и другие акты. Каждая отметка открывает свою страницу.",
        "Tarih sırasıyla, tarihler makalenin verdiği kesinlikte. Anlaşmalara antlaşmalar, bildiriler "
        "ve diğer belgeler dahildir. Her işaret kendi sayfasını açar.",
    ),
    "kind_summit": ("Summit", "Саммит", "Саммит", "Zirve"),
    "kind_visit": ("Official visit", "Ресми сапар", "Официальный визит", "Resmî ziyaret"),
    "kind_agreement": ("Agreement", "Келісім", "Соглашение", "Anlaşma"),
    "search_heading": ("Search", "Іздеу", "Поиск", "Arama"),
    "search_count": (
        "{n} entities match “{q}”.",
        "«{q}» бойынша {n} нысан табылды.",
        "По запросу «{q}» найдено объектов: {n}.",
        "“{q}” ile eşleşen {n} varlık.",
    ),
    "search_none": (
        "Nothing matches “{q}”.",
        "«{q}» бойынша ештеңе табылмады.",
        "По запросу «{q}» ничего не найдено.",
        "“{q}” ile eşleşen bir şey yok.",
    ),
    "search_hint": (
        "Any name in any language or script, e.g. Qazaqstan, Казахстан, Bishkek, Türkiye.",
        "Кез келген тілдегі не жазудағы атау, мысалы: Qazaqstan, Казахстан, Bishkek, Türkiye.",
        "Любое название на любом языке и в любой письменности, например: Qazaqstan, Казахстан, "
        "Bishkek, Türkiye.",
        "Herhangi bir dilde ya da yazıda bir ad, ör. Qazaqstan, Казахстан, Bishkek, Türkiye.",
    ),
    "matched": ("matched", "сәйкес", "совпало", "eşleşen"),
    "best_match": ("match", "сәйкестік", "совпадение", "eşleşme"),
    "search_quotes": (
        "In the article's own words",
        "Мақаланың өз сөзімен",
        "Словами самой статьи",
        "Makalenin kendi sözleriyle",
    ),
    "downloads_heading": ("The whole graph", "Бүкіл граф", "Весь граф", "Grafın tamamı"),
    "downloads_text": (
        "Everything this server holds, in one file: the asserted facts (graph:asserted and one named "
        "graph per quoted claim), the background facts, the inferred triples (graph:inferred), the "
        "ontology, the Wikidata links and the provenance of every claim (graph:provenance).",
        "Сервердегі бәрі бір файлда: бекітілген деректер (graph:asserted және әр дәйексөзге бір "
        "аталған граф), қосымша деректер, шығарылған үштіктер (graph:inferred), онтология, Уикидерек "
        "сілтемелері және әр тұжырымның дереккөзі (graph:provenance).",
        "Всё, что хранит сервер, в одном файле: утверждённые факты (graph:asserted и по именованному "
        "графу на каждую цитату), фоновые факты, выведенные тройки (graph:inferred), онтология, "
        "ссылки на Викиданные и происхождение каждого утверждения (graph:provenance).",
        "Bu sunucunun tuttuğu her şey tek dosyada: belirtilmiş bilgiler (graph:asserted ve "
        "alıntılanan her önerme için bir adlandırılmış graf), arka plan bilgileri, çıkarsanmış "
        "üçlüler (graph:inferred), ontoloji, Vikiveri bağlantıları ve her önermenin kökeni "
        "(graph:provenance).",
    ),
    "licence": (
        "The ontology and the data are licensed under Creative Commons Attribution 4.0 International "
        "(CC BY 4.0).",
        "Онтология мен деректер Creative Commons Attribution 4.0 International (CC BY 4.0) "
        "лицензиясымен берілген.",
        "Онтология и данные распространяются по лицензии Creative Commons Attribution 4.0 "
        "International (CC BY 4.0).",
        "Ontoloji ve veriler Creative Commons Atıf 4.0 Uluslararası (CC BY 4.0) lisansıyla sunulmaktadır.",
    ),
    "footer": (
        "Data: CC BY 4.0 · Code: MIT",
        "Деректер: CC BY 4.0 · Код: MIT",
        "Данные: CC BY 4.0 · Код: MIT",
        "Veriler: CC BY 4.0 · Kod: MIT",
    ),
    # what each reasoning rule does, for /explain
    "rule_cax-sco": (
        "a member of a class is a member of its superclasses",
        "класс мүшесі оның жоғарғы кластарының да мүшесі",
        "член класса — член его надклассов",
        "bir sınıfın üyesi, üst sınıflarının da üyesidir",
    ),
    "rule_prp-dom": (
        "the subject of a property is in the property's domain",
        "қасиеттің субъектісі оның анықталу облысында",
        "субъект свойства принадлежит его области определения",
        "bir özelliğin öznesi, özelliğin tanım kümesindedir",
    ),
    "rule_prp-rng": (
        "the value of a property is in the property's range",
        "қасиеттің мәні оның мәндер облысында",
        "значение свойства принадлежит его области значений",
        "bir özelliğin değeri, özelliğin değer kümesindedir",
    ),
    "rule_prp-spo1": (
        "a sub-property implies its super-property",
        "ішкі қасиет жоғарғы қасиетті білдіреді",
        "подсвойство влечёт надсвойство",
        "bir alt özellik, üst özelliğini gerektirir",
    ),
    "rule_prp-spo2": (
        "a property chain implies its property",
        "қасиеттер тізбегі тиісті қасиетті білдіреді",
        "цепочка свойств влечёт свойство",
        "bir özellik zinciri, ilgili özelliği gerektirir",
    ),
    "rule_prp-inv": (
        "a property implies its inverse, the other way round",
        "қасиет кері қасиетті кері бағытта білдіреді",
        "свойство влечёт обратное свойство в обратную сторону",
        "bir özellik, ters yönde ters özelliğini gerektirir",
    ),
    "rule_prp-symp": (
        "the property is symmetric",
        "қасиет симметриялы",
        "свойство симметрично",
        "özellik simetriktir",
    ),
    "rule_prp-trp": (
        "the property is transitive",
        "қасиет транзитивті",
        "свойство транзитивно",
        "özellik geçişlidir",
    ),
    "rule_otsgraph:temporal-placement/date-bounds": (
        "the earliest and latest date (and the date shown) follow from the dates given, the parent "
        "event's dates, and the order the article states",
        "ең ерте және ең кеш күн (және көрсетілетін күн) берілген күндерден, негізгі оқиғаның "
        "күндерінен және мақалада айтылған реттен шығады",
        "самая ранняя и самая поздняя даты (и показываемая дата) следуют из данных дат, дат "
        "объемлющего события и порядка, указанного в статье",
        "en erken ve en geç tarih (ve gösterilen tarih) verilen tarihlerden, üst olayın "
        "tarihlerinden ve makalede belirtilen sıradan çıkar",
    ),
    "rule_otsgraph:temporal-placement": (
        "a thing whose dates lie inside a period falls in that period",
        "күндері кезең ішінде жатқан нәрсе сол кезеңге жатады",
        "то, чьи даты лежат внутри периода, относится к этому периоду",
        "tarihleri bir dönemin içinde kalan şey o döneme aittir",
    ),
    # the ontology's documentation and the /explain form
    "ontology_doc_link": (
        "In the ontology's documentation",
        "Онтология құжаттамасында",
        "В документации онтологии",
        "Ontolojinin belgelerinde",
    ),
    "explain_form": (
        "Type a subject, and optionally a property and a value: full IRIs or prefixed names such as "
        "res:kazakhstan, ots:memberOf.",
        "Субъектіні, қаласаңыз қасиет пен мәнді жазыңыз: толық IRI немесе res:kazakhstan, "
        "ots:memberOf сияқты префиксті атау.",
        "Введите субъект и, если нужно, свойство и значение: полный IRI или имя с префиксом, например"
        " res:kazakhstan, ots:memberOf.",
        "Bir özne ve isterseniz bir özellik ile bir değer yazın: tam IRI'ler ya da res:kazakhstan, "
        "ots:memberOf gibi önekli adlar.",
    ),
    "explain_button": ("Explain", "Түсіндіру", "Объяснить", "Açıkla"),
    "explain_subject": ("Subject", "Субъект", "Субъект", "Özne"),
    "explain_property": ("Property", "Қасиет", "Свойство", "Özellik"),
    "explain_value": ("Value", "Мәні", "Значение", "Değer"),
    "explain_inferred_facts": (
        "Inferred facts about {s}: choose one to see why it holds.",
        "{s} туралы шығарылған деректер: неге орындалатынын көру үшін біреуін таңдаңыз.",
        "Выведенные факты о {s}: выберите один, чтобы увидеть, почему он верен.",
        "{s} hakkında çıkarsanmış bilgiler: neden geçerli olduğunu görmek için birini seçin.",
    ),
    "explain_none_inferred": (
        "Nothing about {s} is inferred.",
        "{s} туралы шығарылған дерек жоқ.",
        "О {s} ничего не выведено.",
        "{s} hakkında çıkarsanmış bir bilgi yok.",
    ),
    "explain_prefixes": ("Known prefixes:", "Белгілі префикстер:", "Известные префиксы:", "Bilinen önekler:"),
    # a quote's translation and the project's own wording (graph:labels)
    "project_translation": (
        "the project's translation",
        "жобаның аудармасы",
        "перевод проекта",
        "projenin çevirisi",
    ),
    "project": ("project's wording", "жоба тұжырымы", "формулировка проекта", "projenin ifadesi"),
    "bracket_reference": (
        "bracket reference",
        "жақшадағы сілтеме",
        "ссылка в скобках",
        "köşeli parantezdeki kaynak",
    ),
}

# Turkish for docs_html.PHRASES (which holds en, kk, ru): class expressions in words and the
# ontology's documentation
_PHRASES_TR: dict[str, str] = {
    "x_has_value": "{p} = {v} değerine sahip",
    "x_some": "{c} olan en az bir {p} değerine sahip",
    "x_all": "yalnızca {c} olan {p} değerlerine sahip",
    "x_exactly": "tam olarak {n} {p} değerine sahip{of}",
    "x_min": "en az {n} {p} değerine sahip{of}",
    "x_max": "en çok {n} {p} değerine sahip{of}",
    "x_of": " ({c} türünde)",
    "x_self": "{p} ile kendisiyle ilişkili",
    "x_or": " veya ",
    "x_and": " ve ",
    "x_not": "{c} değil",
    "x_one_of": "şunlardan biri: {items}",
    "x_then": ", ardından ",
    "x_anything": "şu özellikte her şey: {vp}",
    "x_every": "her {s}: {vp}",
    "x_every_is": "her {s} bir {c}",
    "x_exactly_those": "{s} tam olarak şudur: {c}",
    "x_disjoint": "ikişer ikişer ayrık: {items}",
    "x_unnamed": "adsız bir düğüm",
    "doc_heading": "Ontoloji",
    "doc_hierarchy": "Sınıf hiyerarşisi",
    "doc_classes": "Sınıflar ({n})",
    "doc_properties": "Özellikler ({n})",
    "doc_labels": "en / kk / ru",
    "doc_definition": "tanım",
    "doc_kind": "tür",
    "doc_subclass_of": "üst sınıfı",
    "doc_subproperty_of": "üst özelliği",
    "doc_domain": "tanım kümesi",
    "doc_range": "değer kümesi",
    "doc_inverse_of": "tersi",
    "doc_equivalent": "eşdeğeri",
    "doc_chain": "özellik zinciri",
    "doc_disjoint": "ayrık olduğu",
    "doc_axioms": "aksiyomlar",
    "doc_mappings": "Vikiveri ve diğer sözlükler",
    "doc_kind_class": "sınıf",
    "doc_kind_object": "nesne özelliği",
    "doc_kind_datatype": "veri türü özelliği",
    "doc_kind_annotation": "açıklama özelliği",
    "doc_download": "Ontolojinin tamamı veri olarak:",
    "doc_term_page": "sayfası",
}
_TABLE.update({key: (*values, _PHRASES_TR[key]) for key, values in PHRASES.items()})

STRINGS: dict[str, dict[str, str]] = {
    lang: {key: values[i] for key, values in _TABLE.items()} for i, lang in enumerate(UI_LANGUAGES)
}


def valid(lang: str | None) -> str | None:
    return lang if lang in UI_LANGUAGES else None


def current_lang() -> str:
    """The request's language: ?lang=, else the cookie, else English."""
    return valid(request.args.get("lang")) or valid(request.cookies.get(COOKIE)) or DEFAULT


def text(key: str, lang: str | None = None, **values: object) -> str:
    """The string `key` in `lang` (the request's by default), with {placeholders} filled."""
    table = STRINGS[lang or current_lang()]
    template = table.get(key, STRINGS[DEFAULT].get(key, key))
    return template.format(**values) if values else template

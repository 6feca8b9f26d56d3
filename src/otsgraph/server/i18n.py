"""The pages' words in English, Kazakh and Russian, and which language a request wants.

The language comes from `?lang=` (kept in a cookie so it sticks), then the cookie, then English.
It chooses both the interface strings and the label language of every IRI a page shows.
"""

from __future__ import annotations

from flask import request

from ..docs_html import PHRASES
from ..namespaces import LANGUAGES

DEFAULT = "en"
COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "kk": "Қазақша", "ru": "Русский"}

# key: (en, kk, ru)
_TABLE: dict[str, tuple[str, str, str]] = {
    "nav_query": ("Query", "Сұраныс", "Запрос"),
    "nav_timeline": ("Timeline", "Хронология", "Хронология"),
    "nav_search": ("Search", "Іздеу", "Поиск"),
    "nav_downloads": ("Downloads", "Жүктеп алу", "Скачать"),
    "language": ("Language", "Тіл", "Язык"),
    "tagline": (
        "A knowledge graph of the Organization of Turkic States",
        "Түркі мемлекеттері ұйымы туралы білім графы",
        "Граф знаний об Организации тюркских государств",
    ),
    "search_placeholder": ("Search by name…", "Атауы бойынша іздеу…", "Поиск по названию…"),
    "search_button": ("Search", "Іздеу", "Найти"),
    "query_heading": ("SPARQL query", "SPARQL сұранысы", "SPARQL-запрос"),
    "examples": ("Example queries", "Сұраныс мысалдары", "Примеры запросов"),
    "run": ("Run", "Орындау", "Выполнить"),
    "keyboard_help": (
        "Ctrl+Enter (⌘+Enter) runs the query; Esc then Tab leaves the editor.",
        "Ctrl+Enter (⌘+Enter) сұранысты орындайды; Esc, содан кейін Tab редактордан шығарады.",
        "Ctrl+Enter (⌘+Enter) выполняет запрос; Esc, затем Tab — выход из редактора.",
    ),
    "results": ("Results", "Нәтижелер", "Результаты"),
    "download": ("Download", "Жүктеп алу", "Скачать"),
    "permalink": ("Permalink", "Тұрақты сілтеме", "Постоянная ссылка"),
    "rows": ("{n} rows in {ms} ms", "{n} жол, {ms} мс", "{n} строк за {ms} мс"),
    "running": ("Running…", "Орындалуда…", "Выполняется…"),
    "error": ("Error", "Қате", "Ошибка"),
    "yes": ("Yes", "Иә", "Да"),
    "no": ("No", "Жоқ", "Нет"),
    "no_results": ("No results.", "Нәтиже жоқ.", "Нет результатов."),
    "truncated": (
        "Showing the first {n} rows; the downloads hold them all.",
        "Алғашқы {n} жол көрсетілді; толығы жүктеп алынатын файлдарда.",
        "Показаны первые {n} строк; полностью — в файлах для скачивания.",
    ),
    "no_js": (
        "Running queries here needs JavaScript; the download links work without it.",
        "Сұранысты осы бетте орындау үшін JavaScript керек; жүктеп алу сілтемелері онсыз да жұмыс істейді.",
        "Для выполнения запроса на странице нужен JavaScript; ссылки для скачивания работают и без него.",
    ),
    "labels": ("Labels", "Атаулары", "Названия"),
    "also_called": ("Also called", "Басқа атаулары", "Другие названия"),
    "types": ("Types", "Түрлері", "Типы"),
    "facts_out": ("Facts about it", "Ол туралы деректер", "Факты о нём"),
    "facts_in": ("Facts that point to it", "Оған сілтейтін деректер", "Факты, ссылающиеся на него"),
    "subject": ("Subject", "Субъект", "Субъект"),
    "property": ("Property", "Қасиет", "Свойство"),
    "value": ("Value", "Мәні", "Значение"),
    "source": ("Source", "Дереккөз", "Источник"),
    "inferred": ("inferred", "шығарылған", "выведено"),
    "why": ("why?", "неге?", "почему?"),
    "asserted": ("asserted", "бекітілген", "утверждено"),
    "background": ("background", "қосымша дерек", "фоновый факт"),
    "ontology": ("ontology", "онтология", "онтология"),
    "provenance": ("provenance", "дереккөз сипаттамасы", "происхождение"),
    "link": ("link", "сілтеме", "ссылка"),
    "added": ("added", "қосылған", "добавлено"),
    "other_graph": ("graph", "граф", "граф"),
    "claim": ("claim", "тұжырым", "утверждение"),
    "wikidata": ("Wikidata", "Уикидерек", "Викиданные"),
    "neighbourhood": ("Neighbourhood", "Байланыстары", "Связи"),
    "as_rdf": ("As data:", "Дерек ретінде:", "Как данные:"),
    "more_rows": (
        "Only the first {n} are shown.",
        "Алғашқы {n} ғана көрсетілді.",
        "Показаны только первые {n}.",
    ),
    "not_found": ("Not found", "Табылмады", "Не найдено"),
    "not_found_text": (
        "The graph has nothing with this IRI.",
        "Графта мұндай IRI-мен ештеңе жоқ.",
        "В графе нет ничего с таким IRI.",
    ),
    "bad_request": ("Bad request", "Қате сұраныс", "Неверный запрос"),
    "explain_heading": ("Why does this hold?", "Бұл неге орындалады?", "Почему это верно?"),
    "explain_intro": (
        "The rule and the premises that derive the fact, down to asserted triples.",
        "Деректі шығаратын ереже мен алғышарттар, бекітілген үштіктерге дейін.",
        "Правило и посылки, из которых выводится факт, вплоть до утверждённых троек.",
    ),
    "explain_asserted": (
        "This fact is asserted, not inferred.",
        "Бұл дерек шығарылмаған, бекітілген.",
        "Этот факт утверждён, а не выведен.",
    ),
    "explain_unknown": (
        "This triple is neither asserted nor inferred.",
        "Бұл үштік бекітілмеген де, шығарылмаған да.",
        "Эта тройка не утверждена и не выведена.",
    ),
    "rule": ("rule", "ереже", "правило"),
    "timeline_heading": (
        "Summits, visits and agreements",
        "Саммиттер, сапарлар мен келісімдер",
        "Саммиты, визиты и соглашения",
    ),
    "timeline_intro": (
        "In date order, with dates as precise as the article gives them. Agreements include treaties, "
        "declarations and other instruments. Each mark opens its page.",
        "Күні бойынша ретімен, күндер мақаладағы дәлдікпен берілген. Келісімдерге шарттар, декларациялар "
        "және басқа құжаттар кіреді. Әр белгі өз бетін ашады.",
        "По дате, с той точностью, с какой её даёт статья. К соглашениям отнесены договоры, декларации "
        "и другие акты. Каждая отметка открывает свою страницу.",
    ),
    "kind_summit": ("Summit", "Саммит", "Саммит"),
    "kind_visit": ("Official visit", "Ресми сапар", "Официальный визит"),
    "kind_agreement": ("Agreement", "Келісім", "Соглашение"),
    "search_heading": ("Search", "Іздеу", "Поиск"),
    "search_count": (
        "{n} entities match “{q}”.",
        "«{q}» бойынша {n} нысан табылды.",
        "По запросу «{q}» найдено объектов: {n}.",
    ),
    "search_none": (
        "Nothing matches “{q}”.",
        "«{q}» бойынша ештеңе табылмады.",
        "По запросу «{q}» ничего не найдено.",
    ),
    "search_hint": (
        "Any name in any language or script, e.g. Qazaqstan, Казахстан, Bishkek, Türkiye.",
        "Кез келген тілдегі не жазудағы атау, мысалы: Qazaqstan, Казахстан, Bishkek, Türkiye.",
        "Любое название на любом языке и в любой письменности, например: "
        "Qazaqstan, Казахстан, Bishkek, Türkiye.",
    ),
    "matched": ("matched", "сәйкес", "совпало"),
    "downloads_heading": ("The whole graph", "Бүкіл граф", "Весь граф"),
    "downloads_text": (
        "Everything this server holds, in one file: the asserted facts (graph:asserted and one named graph "
        "per quoted claim), the background facts, the inferred triples (graph:inferred), the ontology, the "
        "Wikidata links and the provenance of every claim (graph:provenance).",
        "Сервердегі бәрі бір файлда: бекітілген деректер (graph:asserted және әр дәйексөзге "
        "бір аталған граф), қосымша деректер, шығарылған үштіктер (graph:inferred), онтология, "
        "Уикидерек сілтемелері және әр тұжырымның дереккөзі (graph:provenance).",
        "Всё, что хранит сервер, в одном файле: утверждённые факты (graph:asserted и по "
        "именованному графу на каждую цитату), фоновые факты, выведенные тройки (graph:inferred), "
        "онтология, ссылки на Викиданные и происхождение каждого утверждения (graph:provenance).",
    ),
    "licence": (
        "The ontology and the data are licensed under Creative Commons Attribution 4.0 International "
        "(CC BY 4.0).",
        "Онтология мен деректер Creative Commons Attribution 4.0 International (CC BY 4.0) "
        "лицензиясымен берілген.",
        "Онтология и данные распространяются по лицензии Creative Commons Attribution 4.0 International "
        "(CC BY 4.0).",
    ),
    "footer": (
        "Data: CC BY 4.0 · Code: MIT",
        "Деректер: CC BY 4.0 · Код: MIT",
        "Данные: CC BY 4.0 · Код: MIT",
    ),
    # what each reasoning rule does, for /explain
    "rule_cax-sco": (
        "a member of a class is a member of its superclasses",
        "класс мүшесі оның жоғарғы кластарының да мүшесі",
        "член класса — член его надклассов",
    ),
    "rule_prp-dom": (
        "the subject of a property is in the property's domain",
        "қасиеттің субъектісі оның анықталу облысында",
        "субъект свойства принадлежит его области определения",
    ),
    "rule_prp-rng": (
        "the value of a property is in the property's range",
        "қасиеттің мәні оның мәндер облысында",
        "значение свойства принадлежит его области значений",
    ),
    "rule_prp-spo1": (
        "a sub-property implies its super-property",
        "ішкі қасиет жоғарғы қасиетті білдіреді",
        "подсвойство влечёт надсвойство",
    ),
    "rule_prp-spo2": (
        "a property chain implies its property",
        "қасиеттер тізбегі тиісті қасиетті білдіреді",
        "цепочка свойств влечёт свойство",
    ),
    "rule_prp-inv": (
        "a property implies its inverse, the other way round",
        "қасиет кері қасиетті кері бағытта білдіреді",
        "свойство влечёт обратное свойство в обратную сторону",
    ),
    "rule_prp-symp": ("the property is symmetric", "қасиет симметриялы", "свойство симметрично"),
    "rule_prp-trp": ("the property is transitive", "қасиет транзитивті", "свойство транзитивно"),
    "rule_otsgraph:temporal-placement/date-bounds": (
        "the earliest and latest date follow from the dates given",
        "ең ерте және ең кеш күн берілген күндерден шығады",
        "самая ранняя и самая поздняя даты следуют из данных дат",
    ),
    "rule_otsgraph:temporal-placement": (
        "a thing whose dates lie inside a period falls in that period",
        "күндері кезең ішінде жатқан нәрсе сол кезеңге жатады",
        "то, чьи даты лежат внутри периода, относится к этому периоду",
    ),
}

_TABLE.update(PHRASES)  # class expressions in words and the ontology's documentation (docs_html.py)
_TABLE.update(
    {
        "ontology_doc_link": (
            "In the ontology's documentation",
            "Онтология құжаттамасында",
            "В документации онтологии",
        ),
        "explain_form": (
            "Type a subject, and optionally a property and a value: full IRIs or prefixed names "
            "such as res:kazakhstan, ots:memberOf.",
            "Субъектіні, қаласаңыз қасиет пен мәнді жазыңыз: толық IRI немесе res:kazakhstan, "
            "ots:memberOf сияқты префиксті атау.",
            "Введите субъект и, если нужно, свойство и значение: полный IRI или имя с префиксом, "
            "например res:kazakhstan, ots:memberOf.",
        ),
        "explain_button": ("Explain", "Түсіндіру", "Объяснить"),
        "explain_subject": ("Subject", "Субъект", "Субъект"),
        "explain_property": ("Property", "Қасиет", "Свойство"),
        "explain_value": ("Value", "Мәні", "Значение"),
        "explain_inferred_facts": (
            "Inferred facts about {s}: choose one to see why it holds.",
            "{s} туралы шығарылған деректер: неге орындалатынын көру үшін біреуін таңдаңыз.",
            "Выведенные факты о {s}: выберите один, чтобы увидеть, почему он верен.",
        ),
        "explain_none_inferred": (
            "Nothing about {s} is inferred.",
            "{s} туралы шығарылған дерек жоқ.",
            "О {s} ничего не выведено.",
        ),
        "explain_prefixes": ("Known prefixes:", "Белгілі префикстер:", "Известные префиксы:"),
    }
)

STRINGS: dict[str, dict[str, str]] = {
    lang: {key: values[i] for key, values in _TABLE.items()} for i, lang in enumerate(LANGUAGES)
}


def valid(lang: str | None) -> str | None:
    return lang if lang in LANGUAGES else None


def current_lang() -> str:
    """The request's language: ?lang=, else the cookie, else English."""
    return valid(request.args.get("lang")) or valid(request.cookies.get(COOKIE)) or DEFAULT


def text(key: str, lang: str | None = None, **values: object) -> str:
    """The string `key` in `lang` (the request's by default), with {placeholders} filled."""
    table = STRINGS[lang or current_lang()]
    template = table.get(key, STRINGS[DEFAULT].get(key, key))
    return template.format(**values) if values else template

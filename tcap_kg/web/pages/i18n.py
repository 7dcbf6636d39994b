# ruff: noqa: RUF001 -- Chinese text uses full-width punctuation and the multiplication sign on purpose.
"""Interface strings in English and Chinese, and which language a request is answered in.

The language comes from `?lang=` (remembered in a cookie), else the cookie, else the browser's
Accept-Language, else English. Strings sit side by side in one table so a missing translation is
visible in review; `t()` falls back to English rather than failing a page.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Request, g, request
from pypinyin import lazy_pinyin

LANGUAGES = ("en", "zh")
DEFAULT = "en"
COOKIE = "tcap_lang"
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}

# Data language tags acceptable for each interface language, best first.
DATA_TAGS = {
    "en": ("en", "en-gb", "en-us"),
    "zh": ("zh-hans", "zh", "zh-cn", "zh-sg", "zh-hant", "zh-tw", "zh-hk"),
}

STRINGS: dict[str, tuple[str, str]] = {
    "site.name": ("TCap KG", "TCap KG"),
    "site.tagline": (
        "Urban transformative capacity, city by city, with sources",
        "城市转型能力知识图谱：逐城呈现，出处可查",
    ),
    "skip": ("Skip to content", "跳到正文"),
    "nav.label": ("Main", "主导航"),
    "nav.home": ("Home", "首页"),
    "nav.cities": ("Cities", "城市"),
    "nav.compare": ("Compare", "比较"),
    "nav.map": ("Map", "地图"),
    "nav.query": ("Query", "查询"),
    "nav.validate": ("Validate", "校验"),
    "nav.ontology": ("Ontology", "本体"),
    "lang.label": ("Language", "语言"),
    "footer.data": ("For machines", "机器接口"),
    "footer.sparql": ("SPARQL endpoint", "SPARQL 端点"),
    "footer.api": ("Named-query API", "命名查询 API"),
    "footer.openapi": ("OpenAPI", "OpenAPI"),
    "footer.void": ("VoID description", "VoID 描述"),
    "footer.dump": ("Full dump (N-Quads)", "完整导出（N-Quads）"),
    "footer.licence": (
        "Ontology and data under CC BY 4.0. Every claim names its source.",
        "本体与数据采用 CC BY 4.0 许可。每条论断均注明出处。",
    ),
    "js.chart_needs": (
        "The chart needs JavaScript; the table holds the same data.",
        "图表需要 JavaScript；表格包含相同数据。",
    ),
    # home
    "home.title": ("What the graph holds", "图谱概况"),
    "home.intro": (
        "An open knowledge graph of urban transformative capacity after Wolfram (2016): ten components "
        "in three groups, and what sources say about each city, claim by claim, with the source of "
        "every statement and who read it as evidence for which component.",
        "依据 Wolfram（2016）框架构建的城市转型能力开放知识图谱：三组共十项要素，以及各来源对每座城市的论断——"
        "每条陈述均注明出处，并说明由谁将其解读为哪一要素的证据。",
    ),
    "home.counts": ("In numbers", "数据一览"),
    "home.cities": ("cities", "座城市"),
    "home.claims": ("claims", "条论断"),
    "home.sources": ("sources", "个来源"),
    "home.components": ("components", "项要素"),
    "home.graphs": ("named graphs", "个命名图"),
    "home.triples": ("triples", "个三元组"),
    "home.updated": ("Last update", "最近更新"),
    "home.start": ("Where to start", "从这里开始"),
    "home.start.cities": (
        "Browse the cities: names, identifiers, capacity profile, claims and gaps.",
        "浏览城市：名称、标识符、能力概况、论断与缺口。",
    ),
    "home.start.compare": (
        "Compare cities across the ten components in one heat map.",
        "用热力图比较各城市在十项要素上的证据。",
    ),
    "home.start.map": ("See where the cities are.", "查看城市的地理位置。"),
    "home.start.query": (
        "Ask your own questions: ready-made queries or SPARQL.",
        "自主提问：使用现成查询或编写 SPARQL。",
    ),
    "home.start.validate": (
        "Check a dataset about a new city before contributing it.",
        "在贡献新城市数据之前先进行校验。",
    ),
    "home.start.ontology": (
        "Read the ontology: classes, properties, components.",
        "阅读本体：类、属性与要素。",
    ),
    "home.sources_title": ("Sources of the claims", "论断来源"),
    "home.framework": ("The framework", "框架"),
    "home.graphs_title": ("Graphs in the store", "存储中的图"),
    "col.source": ("Source", "来源"),
    "col.issued": ("Published", "发表时间"),
    "col.claims": ("Claims", "论断"),
    "col.graph": ("Graph", "图"),
    "col.role": ("Role", "角色"),
    "col.triples": ("Triples", "三元组"),
    "col.loaded": ("Loaded", "载入时间"),
    "col.city": ("City", "城市"),
    "col.name_zh": ("Chinese name", "中文名"),
    "col.province": ("Province", "省份"),
    "col.country": ("Country", "国家"),
    "col.coordinates": ("Coordinates", "坐标"),
    "col.latitude": ("Latitude", "纬度"),
    "col.longitude": ("Longitude", "经度"),
    "col.direct": ("About the city", "关于该城市"),
    "col.via_group": ("About a group it is in", "关于其所属城市组"),
    "col.components_covered": ("Components with claims", "有论断的要素"),
    "col.component": ("Component", "要素"),
    "col.group": ("Group", "组"),
    "col.scope": ("Scope", "范围"),
    # cities
    "cities.title": ("Cities", "城市"),
    "cities.intro": (
        "Every city in the graph. Counts are claims that speak to a component, about the city itself "
        "or about a listed group of cities that includes it.",
        "图谱中的全部城市。计数为涉及某一要素的论断，包括直接关于该城市的论断和关于包含该城市的城市组的论断。",
    ),
    "cities.none": ("No cities in the graph yet.", "图谱中尚无城市。"),
    # city
    "city.names": ("Names and identifiers", "名称与标识符"),
    "city.iri": ("IRI", "IRI"),
    "city.name_list": ("Names", "名称"),
    "city.as_query": ("As a query:", "对应查询："),
    "city.programmes": ("Pilot programmes", "试点计划"),
    "col.programme": ("Programme", "计划"),
    "col.place": ("Designated place", "试点地区"),
    "col.announced": ("Announced", "公布日期"),
    "city.wikidata": ("Wikidata", "维基数据"),
    "city.geonames": ("GeoNames", "GeoNames"),
    "city.links": ("Links out", "外部链接"),
    "city.derived": ("Based on", "依据"),
    "city.profile": ("Capacity profile", "能力概况"),
    "city.profile_intro": (
        "Claims in the graph that speak to each of the ten components, about this city or about a "
        "listed group of cities that includes it. A count is evidence that something was said, not a "
        "rating.",
        "图谱中涉及十项要素的论断数量，包括关于该城市本身的和关于包含它的城市组的。计数表示有来源提及，而非评分。",
    ),
    "city.profile_chart": (
        "Number of claims per component for {city}, about the city itself and about groups it belongs to.",
        "{city}各要素的论断数量（关于城市本身及关于其所属城市组）。",
    ),
    "city.group_level": (
        "Claims read as speaking to the group as a whole",
        "被解读为针对整组要素的论断",
    ),
    "city.no_claims_component": ("No claim yet.", "暂无论断。"),
    "city.claims": ("Claims with their sources", "论断及其来源"),
    "city.claims_intro": (
        "What each source says, in this project's paraphrase, with who read it as evidence for which "
        "component.",
        "各来源的说法（本项目转述），以及由谁将其解读为哪一要素的证据。",
    ),
    "city.no_claims": ("No claims about this city yet.", "尚无关于该城市的论断。"),
    "city.gaps": ("Gaps", "缺口"),
    "city.gaps_intro": (
        "Components for which no claim in the graph speaks about this city or a group it belongs to.",
        "图谱中没有任何论断（关于该城市或其所属城市组）涉及的要素。",
    ),
    "city.no_gaps": ("Every component has at least one claim.", "每项要素至少有一条论断。"),
    "city.general_note": (
        "{count} further claims speak about groups of cities without naming their members; they are "
        "not counted for any single city.",
        "另有 {count} 条论断针对未列明成员的城市组，不计入任何单个城市。",
    ),
    "city.see_compare": ("See them under Compare.", "请在“比较”页面查看。"),
    "claim.via_group": ("About the group: {group}", "关于城市组：{group}"),
    "claim.about_city": ("About this city", "关于该城市"),
    "claim.source": ("Source", "来源"),
    "claim.said_by": ("Stated by", "陈述者"),
    "claim.reports": ("Reported from", "转述自"),
    "claim.evidence": ("Evidence type", "证据类型"),
    "claim.status": ("Verification", "核实状态"),
    "claim.topics": ("Topics", "主题"),
    "claim.level": ("Administrative level", "行政级别"),
    "claim.mappings": ("Read as", "解读为"),
    "claim.mapped_by": ("by", "解读者"),
    "claim.no_mapping": ("Not mapped to a component", "未映射到要素"),
    "claim.quote": ("Quote", "引文"),
    "claim.note": ("Note", "备注"),
    # compare
    "compare.title": ("Compare cities", "比较城市"),
    "compare.intro": (
        "Claims per city and component. A cell counts the claims about the city itself and about "
        "listed groups that include it; select a cell to read its claims.",
        "按城市和要素统计的论断数量。单元格计入关于城市本身及关于包含该城市的城市组的论断；选择单元格可查看具体论断。",
    ),
    "compare.chart": (
        "Heat map of the number of claims for each city and each of the ten components.",
        "各城市在十项要素上的论断数量热力图。",
    ),
    "compare.groups": ("Groups of cities", "城市组"),
    "compare.groups_intro": (
        "Claims about groups of cities. Where a group lists its members, its claims also count for "
        "each member above; where it does not, they count for no single city.",
        "关于城市组的论断。列明成员的城市组，其论断也计入上方各成员城市；未列明成员的则不计入任何单个城市。",
    ),
    "compare.cell_title": ("Claims: {scope} × {component}", "论断：{scope} × {component}"),
    "compare.cell_none": ("No claims in this cell.", "该单元格没有论断。"),
    "compare.cell_link": (
        "{count} claims: {scope}, {component}",
        "{count} 条论断：{scope}，{component}",
    ),
    "compare.cut": (
        "Showing the {shown} cities with the most claims of {total}; every city page has its own profile.",
        "显示 {total} 座城市中论断最多的 {shown} 座；每座城市的页面都有其能力概况。",
    ),
    "compare.strength": ("Strongest evidence", "最强证据"),
    "strength.none": ("no claim", "无论断"),
    "strength.thin": ("thin", "薄弱"),
    "strength.moderate": ("moderate", "中等"),
    "strength.strong": ("strong", "充分"),
    "compare.key": ("How to read the cells", "如何阅读单元格"),
    "compare.key_number": (
        "The number is how many claims speak to the component. The shade is the strongest evidence "
        "among them: strong is an original record (plan, policy, project document, interview, "
        "survey, workshop or academic publication) that was verified; moderate is such a record "
        "known only through a secondary source; thin is a blog or news item, research notes, or "
        "anything from memory.",
        "数字表示涉及该要素的论断数量。底色表示其中最强的证据：“充分”指经核实的原始记录（规划、政策、项目文件、访谈、"
        "问卷、研讨会或学术出版物）；“中等”指仅经二手来源得知的此类记录；“薄弱”指博客或新闻、研究笔记或凭记忆的内容。",
    ),
    "compare.key_shared": (
        "↔ marks a cell whose claims are each one claim about a group of cities, counted again for "
        "every member: the same statement, not separate evidence about each city.",
        "↔ 表示该单元格中的论断都是关于某个城市组的同一论断，在每个成员城市中重复计入：它是同一陈述，而非关于各城市的独立证据。",
    ),
    "compare.cell_link_shared": (
        "{count} claims, {strength} evidence, shared with other cities: {scope}, {component}",
        "{count} 条论断，{strength}证据，与其他城市共享：{scope}，{component}",
    ),
    "compare.cell_link_own": (
        "{count} claims, {strength} evidence: {scope}, {component}",
        "{count} 条论断，{strength}证据：{scope}，{component}",
    ),
    "compare.pick": ("Set cities side by side", "并排比较城市"),
    "compare.pick_hint": (
        "Choose two or more cities to read their claims component by component.",
        "选择两座或更多城市，按要素逐项阅读其论断。",
    ),
    "compare.pick_submit": ("Compare these cities", "比较所选城市"),
    "compare.side_by_side": ("Side by side", "并排比较"),
    "compare.shared_badge": ("shared", "共享"),
    "compare.none_here": ("none", "无"),
    "compare.legend": ("What C1 to C10 stand for", "C1 至 C10 的含义"),
    "compare.open_city": ("Open the city page", "打开城市页面"),
    # map
    "map.title": ("Map of the cities", "城市地图"),
    "map.intro": (
        "Each city at its coordinates (WGS84), over a Natural Earth land outline shipped with the app; "
        "no map tiles are fetched.",
        "各城市按 WGS84 坐标绘制，底图为随应用提供的 Natural Earth 陆地轮廓，不加载任何在线地图瓦片。",
    ),
    "map.chart": (
        "Map of {count} cities placed by their coordinates.",
        "{count} 座城市按坐标绘制的地图。",
    ),
    "map.no_coordinates": ("Without coordinates", "无坐标"),
    # query
    "query.title": ("Query the graph", "查询图谱"),
    "query.intro": (
        "Pick a ready-made question, or write SPARQL. Results come from the same endpoint other "
        "programs use.",
        "选择一个现成问题，或自行编写 SPARQL。结果与其他程序调用的端点一致。",
    ),
    "query.gallery": ("Ready-made questions", "现成问题"),
    "query.gallery_none": ("No named queries are installed.", "未安装命名查询。"),
    "query.run": ("Run", "运行"),
    "query.editor": ("SPARQL editor", "SPARQL 编辑器"),
    "query.editor_label": ("SPARQL query", "SPARQL 查询"),
    "query.editor_hint": (
        "Ctrl+Enter runs the query; Ctrl+Space completes prefixes and the ontology's classes and "
        "properties. PREFIX lines for well-known prefixes (tcap:, skos:, rdfs:, ...) are added when "
        "the query runs. A comment #defaultView:BarChart or #defaultView:Map opens that view.",
        "按 Ctrl+Enter 运行查询；按 Ctrl+Space 补全前缀及本体的类和属性。运行时会自动补上常用前缀（tcap:、skos:、rdfs: 等）"
        "的 PREFIX 行。注释 #defaultView:BarChart 或 #defaultView:Map 可直接打开相应视图。",
    ),
    "query.results": ("Results", "结果"),
    "query.rows": ("{count} rows", "{count} 行"),
    "query.truncated": (
        "Only the first {count} rows are shown; download for up to the endpoint's row cap.",
        "仅显示前 {count} 行；下载可获得不超过端点行数上限的结果。",
    ),
    "query.download_csv": ("Download CSV", "下载 CSV"),
    "query.download_json": ("Download JSON", "下载 JSON"),
    "query.ask_true": ("Yes (true)", "是（true）"),
    "query.ask_false": ("No (false)", "否（false）"),
    "query.graph_result": ("{count} triples", "{count} 个三元组"),
    "query.graph": ("Triples (Turtle)", "三元组（Turtle）"),
    "query.error": ("The query could not be run", "无法运行查询"),
    "query.error_at": ("At line {count}, column {column}", "位于第 {count} 行，第 {column} 列"),
    "query.views": ("Show the result as", "结果显示方式"),
    "query.view_table": ("Table", "表格"),
    "query.view_bar": ("Bar chart", "条形图"),
    "query.view_map": ("Map", "地图"),
    "query.sort": ("Sort by {column}", "按 {column} 排序"),
    "query.running": ("Running…", "运行中…"),
    "query.required": ("required", "必填"),
    "query.optional": ("optional", "选填"),
    "query.no_rows": ("No rows.", "无结果。"),
    "query.show_sparql": ("Show the SPARQL", "查看 SPARQL"),
    "query.open_in_editor": ("Open in the editor", "在编辑器中打开"),
    # validate
    "validate.title": ("Validate a dataset", "校验数据集"),
    "validate.intro": (
        "Check a dataset about a city against the shapes before contributing it. Nothing you send is "
        "stored.",
        "在贡献数据前，用约束形状校验关于某城市的数据集。您提交的内容不会被存储。",
    ),
    "validate.file": ("Upload files", "上传文件"),
    "validate.file_hint": (
        "Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML or CSV (the city templates), or a zip "
        "of them. Choose several files to check them together, such as a whole CSV template set.",
        "支持 Turtle、TriG、N-Triples、N-Quads、JSON-LD、RDF/XML 或 CSV（城市模板），或其 zip 压缩包。"
        "可同时选择多个文件一并校验，例如整套 CSV 模板。",
    ),
    "validate.unreadable": (
        "The dataset could not be read, so it was not checked:",
        "无法读取该数据集，因此未进行校验：",
    ),
    "validate.paste": ("…or paste it", "……或直接粘贴"),
    "validate.format": ("Format of the pasted text", "粘贴内容的格式"),
    "validate.submit": ("Validate", "校验"),
    "validate.limit": ("Largest accepted size: {size}.", "最大可接受大小：{size}。"),
    "validate.report": ("Report", "校验报告"),
    "report.summary": (
        "{sources}: {verdict}: {violations} violations, {warnings} warnings, {infos} info on "
        "{nodes} nodes ({triples} triples checked)",
        "{sources}：{verdict}：{violations} 项违规，{warnings} 项警告，{infos} 项提示，涉及 {nodes} 个节点"
        "（共检查 {triples} 个三元组）",
    ),
    "report.input": ("input", "输入内容"),
    "report.conforms": ("conforms", "符合约束"),
    "report.does_not_conform": ("does not conform", "不符合约束"),
    "report.unnamed": ("(unnamed node)", "（匿名节点）"),
    "report.severity.violation": ("Violation", "违规"),
    "report.severity.warning": ("Warning", "警告"),
    "report.severity.info": ("Info", "提示"),
    "report.at": ("at {where}", "位置：{where}"),
    # ontology
    "ontology.iri": ("Ontology IRI", "本体 IRI"),
    "ontology.prefix": ("Prefix", "前缀"),
    "ontology.also_as": ("Also as", "其他格式"),
    "ontology.contents": ("Contents", "目录"),
    "ontology.definition_in": ("Definition in {language}", "定义（{language}）"),
    "ontology.no_translation": (
        "Definitions are given in English only; labels are translated.",
        "定义仅有英文版本；标签已翻译。",
    ),
    "ontology.concepts": ("Concepts", "概念"),
    "ontology.groups": ("Groups", "分组"),
    "ontology.or": (" or ", " 或 "),
    "ontology.kind.class": ("Classes", "类"),
    "ontology.kind.object-property": ("Object properties", "对象属性"),
    "ontology.kind.datatype-property": ("Datatype properties", "数据属性"),
    "ontology.kind.annotation-property": ("Annotation properties", "注释属性"),
    "ontology.kind.scheme": ("Concept schemes", "概念体系"),
    "ontology.one.class": ("class", "类"),
    "ontology.one.object-property": ("object property", "对象属性"),
    "ontology.one.datatype-property": ("datatype property", "数据属性"),
    "ontology.one.annotation-property": ("annotation property", "注释属性"),
    "ontology.one.scheme": ("concept scheme", "概念体系"),
    "ontology.one.collection": ("group of concepts", "概念组"),
    "ontology.one.concept": ("concept", "概念"),
    "ontology.rel.subclass-of": ("Subclass of", "父类"),
    "ontology.rel.superclass-of": ("Subclasses", "子类"),
    "ontology.rel.subproperty-of": ("Subproperty of", "父属性"),
    "ontology.rel.domain": ("Domain", "定义域"),
    "ontology.rel.range": ("Range", "值域"),
    "ontology.rel.inverse-of": ("Inverse of", "逆属性"),
    "ontology.rel.in-scheme": ("In scheme", "所属概念体系"),
    "ontology.rel.members": ("Members", "成员"),
    "ontology.rel.member-of": ("In group", "所属分组"),
    "ontology.rel.broader": ("Broader", "上位概念"),
    "ontology.rel.source": ("Source", "来源"),
    "ontology.rel.status": ("Verification", "核实状态"),
    "ontology.head.version": ("Version", "版本"),
    "ontology.head.version-iri": ("Version IRI", "版本 IRI"),
    "ontology.head.licence": ("Licence", "许可"),
    "ontology.head.creator": ("Creator", "创建者"),
    "ontology.head.modified": ("Modified", "修改日期"),
    "ontology.head.citation": ("Cite as", "引用格式"),
    "ontology.head.sources": ("Sources", "来源"),
    "ontology.notes": ("Notes", "备注"),
    "language.en": ("English", "英文"),
    "language.zh": ("Chinese", "中文"),
    # resource pages (/doc/...)
    "doc.kind": ("Kind", "类型"),
    "doc.iri": ("IRI", "IRI"),
    "doc.read_at": ("Where to read it", "原文链接"),
    "doc.facts": ("What the graph says", "图谱中的陈述"),
    "doc.claims": ("Claims from this source", "出自该来源的论断"),
    "doc.claims_intro": (
        "Every claim in the graph that names this as its source.",
        "图谱中注明以此为来源的全部论断。",
    ),
    "doc.no_claims": ("No claim names this as its source.", "没有论断以此为来源。"),
    "doc.claim": ("The claim", "论断"),
    "doc.referrers": ("Referred to by", "被以下内容引用"),
    "doc.more_referrers": (
        "Only the first {count} are listed; ask the SPARQL endpoint for all.",
        "仅列出前 {count} 项；完整列表请查询 SPARQL 端点。",
    ),
    "doc.formats": ("Also as", "其他格式"),
    "doc.permalink": ("Permalink of this claim", "该论断的永久链接"),
    "claim.scope": ("Scope", "范围"),
    # statements from graphs the pages do not vouch for
    "foreign.title": ("Statements from other graphs", "来自其他图的陈述"),
    "foreign.intro": (
        "These statements come from graphs that were loaded without validation or that have no "
        "record in the catalogue. They are not part of this project's data and are not used "
        "anywhere else on this page.",
        "以下陈述来自未经校验载入、或在目录中没有记录的图。它们不属于本项目的数据，本页其他部分也未使用它们。",
    ),
    "foreign.statement": ("Statement", "陈述"),
    "role.external": ("loaded without validation", "未经校验载入"),
    "role.dataset": ("dataset", "数据集"),
    "role.inferred": ("inferred", "推理所得"),
    "role.none": ("no record", "无记录"),
    # errors
    "error.not_found": ("Not found", "未找到"),
    "error.failed": ("This page could not be built just now", "此页面暂时无法生成"),
    "error.back_home": ("Back to the home page", "返回首页"),
}


# Names of the properties other vocabularies define, which the ontology declares but does not label.
PROPERTY_NAMES: dict[str, tuple[str, str]] = {
    "http://www.w3.org/2000/01/rdf-schema#label": ("label", "标签"),
    "http://www.w3.org/2000/01/rdf-schema#comment": ("comment", "注释"),
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": ("see also", "另见"),
    "http://www.w3.org/2004/02/skos/core#prefLabel": ("preferred label", "首选标签"),
    "http://www.w3.org/2004/02/skos/core#altLabel": ("other label", "别名"),
    "http://www.w3.org/2004/02/skos/core#note": ("note", "备注"),
    "http://www.w3.org/2004/02/skos/core#editorialNote": ("editorial note", "编辑说明"),
    "http://www.w3.org/2004/02/skos/core#definition": ("definition", "定义"),
    "http://purl.org/dc/terms/title": ("title", "标题"),
    "http://purl.org/dc/terms/creator": ("author", "作者"),
    "http://purl.org/dc/terms/issued": ("published", "发表时间"),
    "http://purl.org/dc/terms/publisher": ("publisher", "出版者"),
    "http://purl.org/dc/terms/isPartOf": ("part of", "所属"),
    "http://purl.org/dc/terms/references": ("cites", "引用"),
    "http://purl.org/dc/terms/source": ("source", "来源"),
    "http://purl.org/dc/terms/license": ("licence", "许可"),
    "http://purl.org/dc/terms/identifier": ("identifier", "标识符"),
    "http://purl.org/ontology/bibo/doi": ("DOI", "DOI"),
    "http://purl.org/ontology/bibo/isbn13": ("ISBN-13", "ISBN-13"),
    "http://purl.org/ontology/bibo/pages": ("pages", "页码"),
    "http://purl.org/ontology/bibo/pageStart": ("first page", "起始页"),
    "http://purl.org/ontology/bibo/pageEnd": ("last page", "结束页"),
    "http://purl.org/ontology/bibo/volume": ("volume", "卷"),
    "http://purl.org/ontology/bibo/uri": ("web address", "网址"),
    "http://purl.org/ontology/bibo/status": ("status", "状态"),
    "http://xmlns.com/foaf/0.1/name": ("name", "姓名"),
    "http://xmlns.com/foaf/0.1/givenName": ("given name", "名"),
    "http://xmlns.com/foaf/0.1/familyName": ("family name", "姓"),
    "http://xmlns.com/foaf/0.1/page": ("web page", "网页"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("derived from", "来源于"),
    "http://www.w3.org/ns/prov#wasAttributedTo": ("stated by", "陈述者"),
    "http://www.w3.org/2002/07/owl#sameAs": ("same as", "等同于"),
    "http://www.w3.org/2003/01/geo/wgs84_pos#lat": ("latitude", "纬度"),
    "http://www.w3.org/2003/01/geo/wgs84_pos#long": ("longitude", "经度"),
}


def property_name(iri: str, lang: str) -> str | None:
    """The name of a property of another vocabulary in `lang`, if we have one."""
    pair = PROPERTY_NAMES.get(iri)
    if pair is None:
        return None
    return pair[LANGUAGES.index(lang)] if lang in LANGUAGES else pair[0]


def t(key: str, lang: str, **values: object) -> str:
    """The string for `key` in `lang` (English if untranslated), with `{name}` values filled in."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[LANGUAGES.index(lang)] if lang in LANGUAGES else pair[0]
    return text.format(**values) if values else text


def normalise(raw: str | None) -> str | None:
    """`zh-CN`, `zh_Hans`, `ZH` -> `zh`; unknown languages -> None."""
    if not raw:
        return None
    base = raw.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def choose_language(request: Request) -> tuple[str, bool]:
    """The request's language and whether it was chosen explicitly (to be remembered)."""
    explicit = normalise(request.args.get("lang"))
    if explicit:
        return explicit, True
    remembered = normalise(request.cookies.get(COOKIE))
    if remembered:
        return remembered, False
    best = request.accept_languages.best_match(
        ["en", "en-US", "en-GB", "zh", "zh-CN", "zh-Hans", "zh-TW"]
    )
    return normalise(best) or DEFAULT, False


def request_language() -> str:
    """The current request's language, worked out on first use: API answers never need it, so
    they do not pay for parsing cookies and Accept-Language."""
    if "lang" not in g:
        g.lang, g.lang_explicit = choose_language(request)
    return str(g.lang)


def sort_key(text: str, lang: str) -> tuple[str, str]:
    """How names sort for a reader: Chinese by pinyin (as dictionaries and Chinese readers order
    them), not by code point; others case-insensitively."""
    if lang == "zh":
        return (" ".join(lazy_pinyin(text)).casefold(), text)
    return (text.casefold(), text)


def pick(texts: Mapping[str, str], lang: str) -> str:
    """The best text for the interface language from {language tag: text}: the language itself,
    then English, then untagged, then anything, so a page never shows an empty name."""
    if not texts:
        return ""
    lowered = {tag.lower(): text for tag, text in texts.items()}
    for tag in (*DATA_TAGS.get(lang, ()), *DATA_TAGS["en"], ""):
        if tag in lowered:
            return lowered[tag]
    return next(iter(lowered.values()))


def pick_tag(texts: Mapping[str, str], lang: str) -> str:
    """The language tag of the text `pick` chooses (for the `lang` attribute of the markup)."""
    chosen = pick(texts, lang)
    for tag, text in texts.items():
        if text == chosen:
            return tag
    return ""

// Charts of the statistics pages, drawn with the vendored Apache ECharts from the JSON in
// #chart-data (every chart has a table beside it with the same numbers). The SVG renderer keeps
// lines sharp when printed; the save button gives a PNG to paste into a report.
//
// ECharts (700 KB) is fetched only when a chart is about to scroll into view: on a phone the
// page's figures and sentence come first, and a slow network spends nothing on charts nobody
// scrolls to.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  var script = document.currentScript;
  var elements = document.querySelectorAll(".stats-chart");
  if (!source || !elements.length) return;
  var data = JSON.parse(source.textContent);
  var red = "#c8102e";
  var gold = "#d4a017";
  var saveLabel = document.documentElement.lang === "en" ? "Save as image" : "保存为图片";

  function toolbox() {
    return { feature: { saveAsImage: { title: saveLabel, pixelRatio: 2 } }, right: 8 };
  }

  function funnel(chart) {
    var values = chart.values.slice().reverse();
    var labels = chart.labels.slice().reverse();
    return {
      color: [red],
      grid: { left: 8, right: 40, top: 32, bottom: 8, containLabel: true },
      toolbox: toolbox(),
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: labels },
      series: [{ type: "bar", data: values, barMaxWidth: 28, label: { show: true, position: "right" } }],
    };
  }

  function bars(chart, kind) {
    return {
      color: [red, gold],
      legend: { top: 0, left: 0 },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      toolbox: toolbox(),
      xAxis: { type: "category", data: chart.labels, axisLabel: { interval: 0, rotate: chart.labels.length > 6 ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: chart.series.map(function (series) {
        return { name: series.name, type: kind === "line" ? "line" : "bar", data: series.values, barMaxWidth: 36 };
      }),
    };
  }

  function draw(element) {
    var chart = data[element.dataset.chart];
    var kind = element.dataset.kind;
    var instance = window.echarts.init(element, null, { renderer: "svg" });
    var option = kind === "funnel" ? funnel(chart) : bars(chart, kind);
    // Labels old eyes can read: 14 px and dark, as on the rest of the page (ECharts draws 12 px grey).
    option.textStyle = { fontSize: 14, color: "#212529" };
    [].concat(option.xAxis, option.yAxis).forEach(function (axis) {
      axis.axisLabel = Object.assign({ fontSize: 14, color: "#3d4349" }, axis.axisLabel || {});
    });
    if (option.legend) option.legend.textStyle = { fontSize: 14, color: "#212529" };
    instance.setOption(option);
    window.addEventListener("resize", function () { instance.resize(); });
  }

  var waiting = [];
  var loading = false;

  function show(element) {
    if (window.echarts) {
      draw(element);
      return;
    }
    waiting.push(element);
    if (loading) return;
    loading = true;
    var library = document.createElement("script");
    library.src = script.dataset.echarts;
    library.onload = function () {
      waiting.splice(0).forEach(draw);
    };
    document.head.appendChild(library);
  }

  var charts = [];
  elements.forEach(function (element) {
    var chart = data[element.dataset.chart];
    if (!chart) return;
    if (chart.labels.length === 0) {
      element.hidden = true;
      return;
    }
    charts.push(element);
  });
  if (!("IntersectionObserver" in window)) {
    charts.forEach(show);
    return;
  }
  var observer = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        show(entry.target);
      });
    },
    { rootMargin: "100px 0px" }
  );
  charts.forEach(function (element) {
    observer.observe(element);
  });
})();

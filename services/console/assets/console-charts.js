// Draws a uPlot chart in every element with data-chart (JSON: {title, x, series:[{label, values}]};
// the title is the figure's caption),
// again whenever htmx swaps new figures in. x values are unix seconds.
(function () {
  var COLOURS = ['#0b5cad', '#a11d1d', '#1d6b2f', '#7a4b00', '#5b2a86'];
  function draw(el) {
    if (el.dataset.drawn === el.dataset.chart) return;
    el.dataset.drawn = el.dataset.chart;
    el.innerHTML = '';
    var spec = JSON.parse(el.dataset.chart);
    var data = [spec.x].concat(
      spec.series.map(function (s) {
        return s.values;
      }),
    );
    var series = [{}].concat(
      spec.series.map(function (s, i) {
        return { label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true } };
      }),
    );
    new uPlot({ width: Math.min(900, el.clientWidth || 900), height: 240, series: series, scales: { x: { time: true } } }, data, el);
  }
  function drawAll() {
    if (typeof uPlot === 'undefined') return;
    document.querySelectorAll('[data-chart]').forEach(draw);
  }
  document.addEventListener('DOMContentLoaded', function () {
    drawAll();
    new MutationObserver(drawAll).observe(document.body, { childList: true, subtree: true });
  });
})();

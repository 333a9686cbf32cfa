/* kam-review: sortable and filterable tables.
 * A table inside <div class="kam-table"> sorts on a click on its header (tablesort).
 * With data-filters="Column,Column" the div also gets a text box and one drop-down per
 * named column; rows that do not match are hidden. Cells holding <span data-value="...">
 * sort by that value (so 850k sorts below 2.9M). */
(function () {
  "use strict";

  function headerIndex(table, name) {
    var cells = table.tHead ? table.tHead.rows[0].cells : [];
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].textContent.trim() === name) { return i; }
    }
    return -1;
  }

  function cellText(row, index) {
    return index >= 0 && row.cells[index] ? row.cells[index].textContent.trim() : "";
  }

  function addFilters(wrapper, table) {
    var names = (wrapper.getAttribute("data-filters") || "").split(",").filter(Boolean);
    var bar = document.createElement("div");
    bar.className = "kam-filters";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "Filter rows";
    search.setAttribute("aria-label", "Filter rows");
    bar.appendChild(search);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var selects = names.map(function (name) {
      var index = headerIndex(table, name);
      var select = document.createElement("select");
      select.setAttribute("aria-label", name);
      select.setAttribute("data-column", name);
      var values = {};
      rows.forEach(function (row) { values[cellText(row, index)] = true; });
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "All: " + name;
      select.appendChild(all);
      Object.keys(values).sort().forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value || "(none)";
        select.appendChild(option);
      });
      bar.appendChild(select);
      return { select: select, index: index };
    });
    var count = document.createElement("span");
    count.className = "kam-count";
    bar.appendChild(count);
    function apply() {
      var text = search.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var ok = !text || row.textContent.toLowerCase().indexOf(text) >= 0;
        selects.forEach(function (s) {
          if (s.select.value && cellText(row, s.index) !== s.select.value) { ok = false; }
        });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length + " shown";
    }
    search.addEventListener("input", apply);
    selects.forEach(function (s) { s.select.addEventListener("change", apply); });
    wrapper.insertBefore(bar, wrapper.firstChild);
    apply();
  }

  var UNKNOWN_SORTS_AS = "-1000000000000000000";

  function setup() {
    document.querySelectorAll("div.kam-table").forEach(function (wrapper) {
      var table = wrapper.querySelector("table");
      if (!table || wrapper.getAttribute("data-ready")) { return; }
      wrapper.setAttribute("data-ready", "1");
      var numeric = {};
      table.querySelectorAll("td span[data-value]").forEach(function (span) {
        span.parentNode.setAttribute("data-sort", span.getAttribute("data-value"));
        numeric[span.parentNode.cellIndex] = true;
      });
      // A cell without a figure ("—": unknown) sorts below every figure of its column; left
      // as text, it would make the sorter compare the whole column as text.
      table.querySelectorAll("tbody td").forEach(function (cell) {
        if (numeric[cell.cellIndex] && !cell.hasAttribute("data-sort")) {
          cell.setAttribute("data-sort", UNKNOWN_SORTS_AS);
        }
      });
      if (window.Tablesort && table.tHead) { new window.Tablesort(table); }
      if (wrapper.hasAttribute("data-filters")) { addFilters(wrapper, table); }
    });
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

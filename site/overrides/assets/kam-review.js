/* kam-review: sortable and filterable tables, and the clamped summary of an account page.
 * A table inside <div class="kam-table"> sorts when a header button is pressed (tablesort;
 * mouse, Enter or Space), and its header says how it is sorted (aria-sort).
 * With data-filters="Column,Column" the div also gets a text box and one drop-down per
 * named column; rows that do not match are hidden. A cell holding an element with
 * data-sort="..." (written by the page generator: a number, a date as 20260930, a severity
 * by rank) sorts by that value, never by the text shown; such a column sorts as numbers,
 * largest first on the first press. */
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

  // The page's words for the filters (the table's data-filter-* attributes, written in its
  // language), else English.
  function words(wrapper, key, fallback, values) {
    var text = wrapper.getAttribute("data-filter-" + key) || fallback;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  // A value's rank where every cell of the column has one (data-sort: severity by rank);
  // null where any lacks it, for an order by text.
  function sortKey(row, index) {
    var cell = index >= 0 ? row.cells[index] : null;
    var keyed = cell ? cell.querySelector("[data-sort]") : null;
    var key = keyed ? parseFloat(keyed.getAttribute("data-sort")) : NaN;
    return isNaN(key) ? null : key;
  }

  function addFilters(wrapper, table) {
    var names = (wrapper.getAttribute("data-filters") || "").split(",").filter(Boolean);
    var bar = document.createElement("div");
    bar.className = "kam-filters";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = words(wrapper, "label", "Filter rows");
    search.setAttribute("aria-label", search.placeholder);
    bar.appendChild(search);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var selects = names.map(function (name) {
      var index = headerIndex(table, name);
      var select = document.createElement("select");
      select.setAttribute("aria-label", name);
      select.setAttribute("data-column", name);
      var values = {};
      var ranked = true;
      rows.forEach(function (row) {
        var key = sortKey(row, index);
        if (key === null) { ranked = false; }
        values[cellText(row, index)] = key;
      });
      var all = document.createElement("option");
      all.value = "";
      all.textContent = words(wrapper, "all", "All: {name}", { name: name });
      select.appendChild(all);
      // Ranked values (severities) most severe first; others as text sorts them.
      var order = Object.keys(values).sort();
      if (ranked) { order.sort(function (a, b) { return values[b] - values[a]; }); }
      order.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value || words(wrapper, "none", "(none)");
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
      count.textContent = words(wrapper, "shown", "{shown} of {total} shown",
                                { shown: shown, total: rows.length });
    }
    search.addEventListener("input", apply);
    selects.forEach(function (s) { s.select.addEventListener("change", apply); });
    wrapper.insertBefore(bar, wrapper.firstChild);
    apply();
  }

  var UNKNOWN_SORTS_AS = "-1000000000000000000";

  // The raw value the generator wrote in the cell becomes the cell's own sort key; a column
  // holding any is a column of numbers.
  function liftSortKeys(table) {
    var numeric = {};
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell) {
        // data-value: what pages written before data-sort carried.
        var keyed = cell.querySelector("[data-sort], [data-value]");
        if (!keyed) { return; }
        var key = keyed.getAttribute("data-sort");
        cell.setAttribute("data-sort", key === null ? keyed.getAttribute("data-value") : key);
        numeric[cell.cellIndex] = true;
      });
    });
    // A cell without a figure ("—": unknown) sorts below every figure of its column; left
    // as text, it would make the sorter compare the whole column as text.
    table.querySelectorAll("tbody td").forEach(function (cell) {
      if (numeric[cell.cellIndex] && !cell.hasAttribute("data-sort")) {
        cell.setAttribute("data-sort", UNKNOWN_SORTS_AS);
      }
    });
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Object.keys(numeric).forEach(function (index) {
      if (headers[index]) {
        headers[index].setAttribute("data-sort-method", "number");
        headers[index].setAttribute("data-sort-reverse", "");
      }
    });
  }

  // Each sortable header holds a button, so that the keyboard reaches and presses it like
  // any other; the press reaches tablesort's handler on the header.
  function addSortButtons(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header) {
      if (header.getAttribute("data-sort-method") === "none") { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "kam-sort";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      header.removeAttribute("tabindex");
    });
  }

  // The theme's search dialog has no name of its own: its field's, in the page's language.
  function nameSearchDialog() {
    document.querySelectorAll(".md-search[role='dialog']:not([aria-label])").forEach(
      function (dialog) {
        var field = dialog.querySelector("input[placeholder]");
        dialog.setAttribute("aria-label", field ? field.placeholder : "Search");
      });
  }

  // An account page's executive summary is clamped to a few lines in its header card when
  // it is longer; a button shows the whole of it. Without script the whole summary shows.
  function clampSummaries() {
    document.querySelectorAll(".kam-card .kam-plan-summary:not([data-clamp])").forEach(
      function (summary, index) {
        summary.setAttribute("data-clamp", "1");
        summary.classList.add("kam-clamped");
        if (summary.scrollHeight <= summary.clientHeight + 1) {
          summary.classList.remove("kam-clamped");
          return;
        }
        summary.id = summary.id || "kam-summary-" + (index + 1);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "kam-more";
        button.setAttribute("aria-controls", summary.id);
        button.setAttribute("aria-expanded", "false");
        var more = summary.getAttribute("data-more") || "Show the whole summary";
        var less = summary.getAttribute("data-less") || "Show less";
        button.textContent = more;
        button.addEventListener("click", function () {
          var open = summary.classList.toggle("kam-open");
          button.setAttribute("aria-expanded", open ? "true" : "false");
          button.textContent = open ? less : more;
        });
        summary.parentNode.insertBefore(button, summary.nextSibling);
      });
  }

  function setup() {
    nameSearchDialog();
    clampSummaries();
    document.querySelectorAll("div.kam-table").forEach(function (wrapper) {
      var table = wrapper.querySelector("table");
      if (!table || !table.tBodies.length || wrapper.getAttribute("data-ready")) { return; }
      wrapper.setAttribute("data-ready", "1");
      liftSortKeys(table);
      if (window.Tablesort && table.tHead) {
        new window.Tablesort(table);
        addSortButtons(table);
      }
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

// Lock/exclude form: find a participant as HR types. Each <input data-picker-url> asks
// its URL (with &q=) for at most 20 matches (JSON) and lists them under the field; choosing
// one puts that person's email in the field, which the server reads. Without JavaScript
// HR types the email, or a name, and the server resolves it the same way.
(function () {
  "use strict";

  var DELAY_MS = 150;

  function option(text, detail, className) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    item.className = "list-group-item small " + (className || "");
    name.className = "text-body";
    name.textContent = text;
    item.appendChild(name);
    if (detail) {
      var small = document.createElement("span");
      small.className = "d-block text-body-secondary";
      small.textContent = detail;
      item.appendChild(small);
    }
    return item;
  }

  function picker(input) {
    var list = document.createElement("ul");
    var chosen = document.createElement("div");
    var wrapper = document.createElement("div");
    var timer = null;
    var request = null;
    var active = -1;
    var last = "";

    list.id = input.id + "-options";
    list.className = "list-group picker-options shadow-sm d-none";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Matching participants");
    chosen.className = "form-text";
    chosen.setAttribute("aria-live", "polite");
    chosen.dataset.testid = "picker-chosen";
    wrapper.className = "position-relative";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.parentNode.insertBefore(chosen, wrapper.nextSibling);
    // Bootstrap shows an error only next to its field (.is-invalid ~ .invalid-feedback),
    // which is now inside the wrapper.
    wrapper.parentNode.querySelectorAll(":scope > .invalid-feedback").forEach(function (error) {
      error.classList.add("d-block");
    });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function choices() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.classList.add("d-none");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      // An answer that arrives after HR moved on to another field stays closed.
      if (document.activeElement !== input) return;
      list.classList.remove("d-none");
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var items = choices();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, k) {
        item.classList.toggle("active", k === active);
        item.setAttribute("aria-selected", k === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      input.value = item.dataset.email;
      last = input.value;
      chosen.textContent = item.dataset.label;
      close();
    }

    function show(data) {
      var typed = input.value.trim().toLowerCase();
      var exact = data.results.filter(function (person) {
        return person.email.toLowerCase() === typed;
      });
      if (exact.length === 1) {
        // The whole email typed (or pasted): nothing left to choose.
        chosen.textContent = exact[0].name + (exact[0].department ? " · " + exact[0].department : "");
        close();
        return;
      }
      list.replaceChildren();
      data.results.forEach(function (person, k) {
        var label = person.name + (person.department ? " · " + person.department : "");
        var item = option(person.name, person.email + (person.department ? " · " + person.department : ""), "list-group-item-action");
        item.id = list.id + "-" + k;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.email = person.email;
        item.dataset.label = label;
        list.appendChild(item);
      });
      if (!data.results.length) {
        list.appendChild(option("Nobody matches. Check the spelling, or type the email.", "", "text-body-secondary"));
      } else if (data.more) {
        list.appendChild(option("More people match: type more of the name.", "", "text-body-secondary"));
      }
      active = -1;
      open();
    }

    function search() {
      var text = input.value.trim();
      if (text === last) return;
      last = text;
      chosen.textContent = "";
      if (request) request.abort();
      if (!text) {
        close();
        return;
      }
      request = new AbortController();
      fetch(input.dataset.pickerUrl + "&q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: request.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(show)
        .catch(function (error) {
          if (error.name === "AbortError") return;
          list.replaceChildren(option("Search is not available: type the email instead.", "", "text-danger"));
          open();
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open_ = input.getAttribute("aria-expanded") === "true";
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open_ && choices().length) open();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
        event.preventDefault();
      } else if (event.key === "Enter" && open_ && active >= 0) {
        choose(choices()[active]);
        event.preventDefault();
      } else if (event.key === "Escape" && open_) {
        close();
        event.preventDefault();
      }
    });
    input.addEventListener("blur", close);
    // mousedown, not click: choosing must happen before the input's blur closes the list.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
      var item = event.target.closest("[role=option]");
      if (item) choose(item);
    });
  }

  document.querySelectorAll("input[data-picker-url]").forEach(picker);
})();

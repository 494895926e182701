// A form whose work takes a while (data-busy): on submit, says what is happening in its status line and stops a
// second press, so nobody thinks the page is stuck or publishes twice. Without JavaScript the form works the same.
(function () {
  var forms = document.querySelectorAll('form[data-busy]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function () {
      var status = form.querySelector('.busy-status');
      if (status) status.textContent = form.getAttribute('data-busy');
      var button = form.querySelector('button[type="submit"]');
      if (button) setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();

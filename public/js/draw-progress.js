// Follows a running draw through server-sent events, and reloads the page with the report when it ends.
(function () {
  var section = document.getElementById('progress');
  if (!section || !window.EventSource) return;
  var message = document.getElementById('progress-message');
  var events = new EventSource(section.getAttribute('data-events'));
  events.addEventListener('progress', function (e) {
    var p = JSON.parse(e.data);
    message.textContent = p.phase + ': ' + p.message;
  });
  function finish() {
    events.close();
    window.location.reload();
  }
  events.addEventListener('done', finish);
  events.addEventListener('failed', finish);
})();

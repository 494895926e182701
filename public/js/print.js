// The summary page's "Print or save as PDF" button (inline handlers are barred by the Content-Security-Policy).
document.querySelectorAll('[data-print]').forEach((button) => button.addEventListener('click', () => window.print()));

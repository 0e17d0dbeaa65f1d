// Videos in articles: the page shows a plain link; a reader who clicks "Play" gets the
// player (only then does the browser contact the video host).
(function () {
  var body = document.querySelector(".article-body");
  if (!body) { return; }
  var label = body.getAttribute("data-play-label") || "Play";
  var note = body.getAttribute("data-privacy-note") || "";
  body.querySelectorAll("figure.video[data-embed]").forEach(function (figure) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "video-play";
    button.textContent = label;
    var hint = document.createElement("small");
    hint.className = "muted";
    hint.textContent = " " + note + " " + figure.getAttribute("data-host");
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = figure.getAttribute("data-embed");
      frame.title = figure.querySelector("a").textContent;
      frame.width = "640";
      frame.height = "360";
      frame.setAttribute("allow", "fullscreen; picture-in-picture");
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation");
      figure.replaceChildren(frame);
    });
    figure.appendChild(button);
    figure.appendChild(hint);
  });
})();

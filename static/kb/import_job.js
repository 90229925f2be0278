// The import's progress page: poll its progress and move the bar; once the job has ended,
// reload the page, which then shows the proposed article or why the import failed.
(function () {
  "use strict";
  const box = document.querySelector(".kb-import-job[data-progress]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const stage = box.querySelector(".kb-import-stage");
  const count = box.querySelector(".kb-import-count");

  async function poll() {
    let job;
    try {
      const answer = await fetch(box.dataset.progress, {headers: {Accept: "application/json"}});
      if (!answer.ok) throw new Error(answer.status);
      job = await answer.json();
    } catch (error) {
      window.setTimeout(poll, 5000);  // the server is busy or restarting: try again later
      return;
    }
    if (job.finished) {
      window.location.reload();
      return;
    }
    bar.max = job.total || 1;
    bar.value = job.done;
    bar.textContent = `${job.percent}%`;
    stage.textContent = job.stage;
    count.textContent = job.total ? `${job.done} / ${job.total}` : "";
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 1000);
})();

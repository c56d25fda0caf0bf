// hycompliance web: printing, and the upload page (drag and drop, upload, poll the scan's status).
"use strict";

document.addEventListener("click", (event) => {
  if (event.target.closest(".js-print")) window.print();
});

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function showProgress(box, data) {
  box.hidden = false;
  box.querySelector(".bar span").style.width = `${Math.round((100 * data.step) / data.steps)}%`;
  box.querySelector(".state").textContent = `${data.file}: ${data.label}`;
  const error = box.querySelector(".error-line");
  error.hidden = !data.error;
  error.textContent = data.error || "";
  const done = box.querySelector(".done");
  done.hidden = !data.document;
  if (data.document) done.querySelector("a").href = data.document;
}

async function follow(box, url) {
  for (;;) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const data = await response.json();
    showProgress(box, data);
    if (data.state === "done" || data.state === "error") return;
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

function setUpUpload() {
  const form = document.getElementById("upload");
  if (!form) return;
  const box = document.getElementById("progress");
  const input = form.querySelector('input[type="file"]');
  const limit = Number(form.dataset.limit);
  ["dragenter", "dragover"].forEach((name) => form.addEventListener(name, (e) => { e.preventDefault(); form.classList.add("over"); }));
  ["dragleave", "drop"].forEach((name) => form.addEventListener(name, () => form.classList.remove("over")));
  form.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; form.requestSubmit(); }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) return;
    const error = box.querySelector(".error-line");
    if (file.size > limit) {
      box.hidden = false; error.hidden = false;
      error.textContent = `${file.name}: ${form.dataset.tooLarge.replace("{limit}", Math.round(limit / 1048576))}`;
      return;
    }
    showProgress(box, { file: file.name, label: form.dataset.uploading, step: 0, steps: 3, error: null, document: null });
    const response = await fetch(form.action, {
      method: "POST", body: new FormData(form), headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
    });
    const data = await response.json().catch(() => ({ error: form.dataset.httpError.replace("{status}", response.status) }));
    if (!response.ok) {
      showProgress(box, { file: file.name, label: form.dataset.refused, step: 3, steps: 3, error: data.error, document: null });
      return;
    }
    await follow(box, data.status);
  });
  const pending = document.getElementById("follow");
  if (pending) follow(box, `/upload/${Number(pending.dataset.job)}/status`);
}

document.addEventListener("DOMContentLoaded", setUpUpload);

// A thin client: VS Code starts `kb lsp` in the workspace folder and talks LSP over stdio.
// Everything else (diagnostics, completion, hover, code actions) lives in kb itself.
const { workspace } = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate() {
  const config = workspace.getConfiguration("kb");
  const folder = workspace.workspaceFolders && workspace.workspaceFolders[0];
  const server = {
    command: config.get("path", "kb"),
    args: [...config.get("args", []), "lsp"],
    transport: TransportKind.stdio,
    options: { cwd: folder ? folder.uri.fsPath : undefined },
  };
  client = new LanguageClient("kb", "kb", server, {
    documentSelector: [{ scheme: "file", language: "markdown" }],
    // New, deleted and renamed cards reach the server, which re-reads the repo.
    synchronize: { fileEvents: workspace.createFileSystemWatcher("**/*.md") },
  });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

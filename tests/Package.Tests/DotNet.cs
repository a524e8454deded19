using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>The outcome of one <c>dotnet</c> command: exit code and everything it printed.</summary>
    internal sealed record DotNetResult(string Command, int ExitCode, string Output)
    {
        private static readonly Regex DiagnosticLine = new(
            @"^(?<file>[^\s(][^(]*)\((?<line>\d+),(?<column>\d+)(,\d+,\d+)?\): (?<severity>warning|error) (?<id>[A-Z]+[0-9]+):",
            RegexOptions.Multiline | RegexOptions.CultureInvariant);

        /// <summary>The compiler diagnostics in the log, once each (MSBuild may print a warning twice).</summary>
        public IReadOnlyList<ReportedDiagnostic> Diagnostics =>
            DiagnosticLine.Matches(Output)
                .Select(m => new ReportedDiagnostic(
                    m.Groups["id"].Value,
                    m.Groups["severity"].Value,
                    Path.GetFileName(m.Groups["file"].Value.Trim()),
                    int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture)))
                .Distinct()
                .ToList();

        public override string ToString() => $"$ {Command}\n(exit code {ExitCode})\n{Output}";
    }

    internal sealed record ReportedDiagnostic(string Id, string Severity, string File, int Line);

    /// <summary>Runs the real dotnet CLI, as a user or a CI script would.</summary>
    internal static class DotNet
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

        public static async Task<DotNetResult> RunAsync(string workingDirectory, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The test host runs under 'dotnet test', which sets MSBuild's own variables for its build; a nested
            // build must start from a user's environment, not inherit the outer build's.
            foreach (var name in start.Environment.Keys.ToList())
            {
                if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
                    name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                {
                    start.Environment.Remove(name);
                }
            }
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
            start.Environment["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "true";

            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var command = "dotnet " + string.Join(' ', arguments);
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(Timeout)).ConfigureAwait(false) != exited)
            {
                process.Kill(entireProcessTree: true);
                await exited.ConfigureAwait(false);
                lock (output)
                {
                    throw new TimeoutException($"'{command}' did not finish in {Timeout.TotalMinutes} minutes.\n{output}");
                }
            }
            await exited.ConfigureAwait(false);
            lock (output)
            {
                return new DotNetResult(command, process.ExitCode, output.ToString());
            }
        }
    }
}

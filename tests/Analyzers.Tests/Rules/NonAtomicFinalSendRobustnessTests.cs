using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH006 over its own shapes (stored task, branch, try, using, ContinueWith, a send in a finally, a local function, a
    /// lambda or a method of the type called before the detach) cut short at many points: the analyzer
    /// never throws. The repository-wide robustness tests cover the plain pair.
    /// </summary>
    public class NonAtomicFinalSendRobustnessTests
    {
        private const string Usings = @"using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        private const string Complete = Usings + @"
class Shapes
{
    private readonly HandoffWebSocket _ws = null!;

    async Task<Stream> Stored(HandoffWebSocket ws, ReadOnlyMemory<byte> m, CancellationToken ct)
    {
        ValueTask t = ws.SendAsync(m, WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage, ct);
        await t.ConfigureAwait(false);
        var raw = await ws.DetachAsync(ct);
        await t;
        return raw;
    }

    async Task<Stream?> Paths(ArraySegment<byte> m, bool last, IDisposable scope, CancellationToken ct)
    {
        try
        {
            using (scope)
            {
                if (last)
                    await this._ws.SendAsync(m, WebSocketMessageType.Text, endOfMessage: true, ct);
                else if (ct.CanBeCanceled)
                {
                    await _ws.SendAsync(m, WebSocketMessageType.Text, true, ct);
                }
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
        finally
        {
            Console.WriteLine(""done"");
        }

        { return await _ws.DetachAsync(ct); }
    }

    async Task<Stream?> Graph(HandoffWebSocket ws, ArraySegment<byte> m, int n, object gate, CancellationToken ct)
    {
        Func<Task<Stream?>> later = async () =>
        {
            await ws.SendAsync(m, WebSocketMessageType.Text, true, ct);
            return n > 0 ? await ws.DetachAsync(ct) : null;
        };
        for (int i = 0; i < n; i++)
        {
            switch (i % 3)
            {
                case 0:
                    await Task.WhenAll(ws.SendAsync(m, WebSocketMessageType.Binary, true, ct), Task.Delay(1, ct));
                    break;
                case 1:
                    using (var t = ws.SendAsync(m, WebSocketMessageType.Binary, true, ct)) { await t; }
                    continue;
                default:
                    lock (gate) { ws.SendAsync(m, WebSocketMessageType.Binary, true, ct).Wait(); }
                    if (ct.IsCancellationRequested) return null;
                    break;
            }
        }

        return n > 1 ? await ws.DetachAsync(ct) : await later();
    }

    async Task<Stream> InFinally(HandoffWebSocket ws, ArraySegment<byte> m, Func<Task> work, CancellationToken ct)
    {
        try { await work(); }
        catch (InvalidOperationException) { Console.WriteLine(); }
        finally { await ws.SendAsync(m, WebSocketMessageType.Binary, true, ct); }
        return await ws.DetachAsync(ct);
    }

    async Task<Stream> InLambda(HandoffWebSocket ws, ArraySegment<byte> m, CancellationToken ct)
    {
        Func<Task> bye = () => ws.SendAsync(m, WebSocketMessageType.Text, true, ct);
        await bye();
        return await ws.DetachAsync(ct);
    }

    Stream InLocalFunction(HandoffWebSocket ws, ArraySegment<byte> m, CancellationToken ct)
    {
        Final(ws, m).GetAwaiter().GetResult();
        return ws.Detach();

        async Task Final(HandoffWebSocket s, ArraySegment<byte> message)
        {
            Console.WriteLine();
            await s.SendAsync(message, WebSocketMessageType.Binary, true, ct).ConfigureAwait(false);
        }
    }

    private Task SendTextAsync(ReadOnlyMemory<byte> m, CancellationToken ct) =>
        _ws.SendAsync(m, WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, ct).AsTask();

    async Task<Stream> InMethod(ReadOnlyMemory<byte> m, CancellationToken ct)
    {
        await this.SendTextAsync(m, ct);
        return await _ws.DetachAsync(ct);
    }

    Task<Stream> Chain(HandoffWebSocket ws, ArraySegment<byte> m, CancellationToken ct) =>
        ws.SendAsync(m, WebSocketMessageType.Binary, true, ct).ContinueWith(async _ => { Console.WriteLine(); return await ws.DetachAsync(ct); }, TaskContinuationOptions.OnlyOnRanToCompletion).Unwrap();
}";

        [Fact]
        public async Task The_complete_source_compiles_and_is_reported()
        {
            CSharpCompilation compilation = await AnalyzerRunner.CompileAsync(Complete);
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            (ImmutableArray<Diagnostic> diagnostics, IReadOnlyCollection<string> exceptions) = await RunAsync(compilation);
            Assert.Empty(exceptions);
            Assert.Equal(12, diagnostics.Count(d => d.Id == RuleIdentifiers.NonAtomicFinalSend));
        }

        [Fact]
        public async Task Code_cut_short_anywhere_throws_in_no_analysis()
        {
            var cuts = new List<string>();
            for (int length = Usings.Length; length < Complete.Length; length += 13)
            {
                cuts.Add(Complete.Substring(0, length));
            }

            string[] lines = Complete.Split('\n');
            for (int skip = Usings.Split('\n').Length; skip < lines.Length; skip++)
            {
                cuts.Add(string.Join("\n", lines.Where((_, i) => i != skip)));
            }

            foreach (string cut in cuts)
            {
                (ImmutableArray<Diagnostic> diagnostics, IReadOnlyCollection<string> exceptions) = await RunAsync(await AnalyzerRunner.CompileAsync(cut));
                Assert.True(exceptions.Count == 0, "WSH006 threw on:\n" + cut + "\n\n" + string.Join("\n\n", exceptions));
                Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
            }
        }

        private static async Task<(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyCollection<string> Exceptions)> RunAsync(Compilation compilation)
        {
            var exceptions = new ConcurrentQueue<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, _) => exceptions.Enqueue(exception.ToString()),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false);
            var withAnalyzers = new CompilationWithAnalyzers(
                compilation, ImmutableArray.Create<DiagnosticAnalyzer>(new NonAtomicFinalSendAnalyzer()), options);
            ImmutableArray<Diagnostic> diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            return (diagnostics, exceptions);
        }
    }
}

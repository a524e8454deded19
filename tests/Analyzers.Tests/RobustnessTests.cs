using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Tests.Rules;

namespace WebSocketHandoff.Analyzers.Tests
{
    /// <summary>
    /// Every analyzer of the assembly over incomplete and broken code reports no AD0001 (never throws), and stays silent
    /// on the project's own sources.
    /// </summary>
    public class RobustnessTests
    {
        private const string Usings = @"using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        /// <summary>Broken on purpose: each one is what an editor holds halfway through typing.</summary>
        public static readonly ImmutableArray<string> BrokenSources = ImmutableArray.Create(
            // half-typed CreateFromStream calls
            Usings + "class C { async Task M(Stream s) { var ws = WebSocket.CreateFromStream(",
            Usings + "class C { async Task M(Stream s) { var ws = WebSocket.CreateFromStream(s, ; await s.ReadAsync(new byte[1]); } }",
            Usings + "class C { async Task M(Stream s) { var ws = HandoffWebSocket.CreateFromStream(s, true, null, ); s.Write(new byte[1]); } }",
            Usings + "class C { void M(Stream s) { var ws = WebSocket.CreateFromStream(s, new WebSocketCreationOptions { KeepAliveInterval = }); s.Write( } }",
            Usings + "class C { void M(Stream s) { var ws = WebSocketProtocol.CreateFromStream(s, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(); ws. } }",
            Usings + "class C { void M(NetworkStream s) { var ws = WebSocket.CreateFromStream(s, true, null, Timeout.InfiniteTimeSpan); s.Socket.Send(; using (ws) { } } }",
            // missing types and members
            Usings + "class C { async Task M(Strem s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); await s.ReadAsync(new byte[1]); } }",
            Usings + "class C { async Task M(Stream s) { var ws = MissingType.CreateFromStream(s, true, null, TimeSpan.Zero); await ws.DetachAsync(); await s.WriteAsync(x); } }",
            Usings + "class C { async Task M(HandoffWebSocket ws) { await ws.SendAsync(buffer, WebSocketMessageType.Binary, true, ct); await ws.DetachAsync(ct); await ws.Frobnicate(); } }",
            Usings + "class C { void M(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); var r = new StreamReader(); new SslStream(s, ).AuthenticateAsServer(); } }",
            // lambdas and local functions without bodies
            Usings + "class C { void M(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); Func<Task> f = async () => ; Local(); void Local() } }",
            Usings + "class C { void M(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); Action a = () => { s.Write(new byte[1]) ; ws.Abort( } }",
            Usings + "class C { void M(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); Task.Run(async () => { await s.CopyToAsync(; }); } }",
            // syntax errors in statements, loops and try
            Usings + "class C { async Task M(HandoffWebSocket ws, Stream s) { while (true { await ws.ReceiveAsync(new byte[1], default); if ( await ws.DetachAsync(); } } }",
            Usings + "class C { async Task M(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); try { await s.ReadAsync( } finally { await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default) } } }",
            Usings + "class C { async Task M(HandoffWebSocket ws) { await ws.SendAsync(new ArraySegment<byte>(), WebSocketMessageType.Binary, endOfMessage: true, default) var raw = await ws.DetachAsync(; } }",
            Usings + "class C { async Task M(HandoffWebSocket ws) { await ws.SendAsync(new ArraySegment<byte>(), WebSocketMessageType.Binary, true, default); { var raw = await ws.Detach } } }",
            Usings + "class C { async Task M(HandoffWebSocket ws) { await ws.SendAsync(endOfMessage: true); return await ws.DetachAsync(); } }",
            Usings + "class C { Stream _s; WebSocket _ws; void Start() { _ws = WebSocket.CreateFromStream(_s, true, null, TimeSpan.FromSeconds(5)); } void Raw() { _s.Write(new byte[1]); _s. } }",
            // reflection half-typed
            Usings + "class C { object M(ClientWebSocket ws) => typeof(ClientWebSocket).GetField(\"_innerWebSocket\", BindingFlags.NonPublic | ).GetValue(ws).GetType().GetField(",
            Usings + "class C { object M() => Type.GetType(\"System.Net.WebSockets.ManagedWebSocket\", ).GetConstructor(BindingFlags.NonPublic, null, new[] { typeof(Stream) }, ); }",
            Usings + "class C { object M() => typeof(WebSocket).Assembly.GetType(); object N() => Type.GetType(null); object O() => typeof().GetField(\"x\"); }",
            Usings + "class C { void M() { Type t; t.GetField(\"_stream\", BindingFlags.NonPublic); Type u = typeof(ClientWebSocket); u.GetField(name, (BindingFlags)x); } }",
            Usings + "static class X { static FieldInfo F(this Type t, string name) => t.GetField(name, BindingFlags.NonPublic); static void M() { typeof(WebSocket).F(); typeof(WebSocket).F(\"_stream\", 1); } }",
            Usings + "static class A { [UnsafeAccessor(UnsafeAccessorKind.Field, Name = \"_stream\")] static extern ref Stream S(); [UnsafeAccessor(UnsafeAccessorKind.Constructor)] static extern void Ctor(ClientWebSocket ws); [UnsafeAccessor()] static extern int X(WebSocket w); [UnsafeAccessor(UnsafeAccessorKind.Method)] static extern int Y(this WebSocket w) { } }",
            Usings + "static class A { [UnsafeAccessor((UnsafeAccessorKind)99)] static extern object S(WebSocket ws); [UnsafeAccessorType(\"System.Net.WebSockets.ManagedWebSocket\")] static extern object T(); }",
            // cycles between locals, self-referencing fields
            Usings + "class C { static readonly Type s_t = s_t; void M() { Type t = typeof(ClientWebSocket); Type u = t; t = u; u = t; t = t; t.GetField(\"_x\", BindingFlags.NonPublic); s_t.GetField(\"_y\"); } }",
            Usings + "class C { void M(HandoffWebSocket ws) { L: await ws.SendAsync(default(ArraySegment<byte>), WebSocketMessageType.Binary, true, default); goto L; ws.Detach(); } }",
            Usings + "partial class C { private static Type? s_t; void M() { s_t ??= ; s_t = typeof(ClientWebSocket) ?? ; s_t.GetField(\"_x\", BindingFlags.NonPublic).; Take(ref s_t); } static void Take(ref Type? t) { } }",
            Usings + "class C { private Type _a, _b = typeof(WebSocket); void M() { (_a, _b) = (_b, _a); _a.GetFields(BindingFlags.NonPublic | ); this._b.GetField(nameof(), BindingFlags.NonPublic); } }",
            // declarations and top-level code cut short
            Usings + "class C : WebSocket { public override",
            Usings + "var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero); await ws.SendAsync(buf, WebSocketMessageType.Text, true, default); var raw = await ws.DetachAsync(",
            Usings + "namespace N { class C { async Task M(TcpClient client) { var s = client.GetStream(); var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(1)); await client.Client.SendAsync(new byte[1] } }",
            Usings + "class C { async Task M(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero) switch { _ => }; goto L; await s.ReadAsync(new byte[1]); } }",
            "class C { void M() { System.Net.WebSockets.WebSocket.CreateFromStream(null!, true, null, default).",
            "}}}{{{ ) ( ;; => async await using var WebSocket.CreateFromStream",
            string.Empty);

        /// <summary>Complete code that uses every rule's shapes; the tests cut it at many points.</summary>
        public static readonly ImmutableArray<string> CompleteSources = ImmutableArray.Create(
            Usings + @"
class Bridge
{
    private readonly Stream _transport;
    private WebSocket? _ws;
    public Bridge(Stream transport) { _transport = transport; }

    public async Task RunAsync(CancellationToken ct)
    {
        _ws = WebSocket.CreateFromStream(_transport, true, null, TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while (true)
        {
            var result = await _ws.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close) { await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct); return; }
            if (result.EndOfMessage) break;
        }
        await _transport.WriteAsync(buffer, ct);
        using var reader = new StreamReader(_transport);
        Func<Task> later = async () => await _transport.ReadAsync(buffer, ct);
        await later();
    }
}",
            Usings + @"
class Handoff
{
    static async Task<Stream> SwitchAsync(Stream stream, byte[] last, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(5) });
        await ws.SendAsync(new ArraySegment<byte>(last), WebSocketMessageType.Binary, endOfMessage: true, ct);
        Console.WriteLine(""sent"");
        var raw = await ws.DetachAsync(ct);
        await ws.SendAsync(new ArraySegment<byte>(last), WebSocketMessageType.Binary, false, ct);
        ws.Dispose();
        return raw;
    }
}",
            Usings + @"
static class Steal
{
    private static readonly Type s_client = typeof(ClientWebSocket);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = ""_innerWebSocket"")]
    static extern ref object Inner(ClientWebSocket ws);

    static Stream Get(ClientWebSocket ws)
    {
        object inner = s_client.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(ws)!;
        Type managed = typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"", throwOnError: true)!;
        var ctor = managed.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, new[] { typeof(Stream) }, null);
        return (Stream)inner.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(inner)!;
    }
}");

        public static IEnumerable<object[]> BrokenCases() => Enumerable.Range(0, BrokenSources.Length).Select(i => new object[] { i });

        public static IEnumerable<object[]> CompleteCases() => Enumerable.Range(0, CompleteSources.Length).Select(i => new object[] { i });

        [Fact]
        public void Every_analyzer_is_found()
        {
            Assert.Contains(AnalyzerCatalog.CreateAnalyzers(), a => a is WebSocketReflectionAnalyzer);
            Assert.Contains(AnalyzerCatalog.CreateAnalyzers(), a => a is NonAtomicFinalSendAnalyzer);
        }

        [Theory]
        [MemberData(nameof(BrokenCases))]
        public async Task Broken_code_throws_in_no_analyzer(int index)
        {
            await AssertNoAnalyzerExceptionAsync(BrokenSources[index]);
        }

        [Theory]
        [MemberData(nameof(CompleteCases))]
        public async Task Code_cut_short_anywhere_throws_in_no_analyzer(int index)
        {
            string source = CompleteSources[index];
            int start = Usings.Length;

            // Every cut point would be thousands of compilations; every 23rd character still lands inside every construct.
            var cuts = new List<string>();
            for (int length = start; length < source.Length; length += 23)
            {
                cuts.Add(source.Substring(0, length));
            }

            // And the same code with one line missing, for unbalanced braces in the middle of a file.
            string[] lines = source.Split('\n');
            for (int skip = Usings.Split('\n').Length; skip < lines.Length; skip += 2)
            {
                cuts.Add(string.Join("\n", lines.Where((_, i) => i != skip)));
            }

            // Whole, it must compile: the cuts are then broken versions of valid code.
            CSharpCompilation whole = await AnalyzerRunner.CompileAsync(source);
            Assert.Empty(whole.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

            foreach (string cut in cuts)
            {
                await AssertNoAnalyzerExceptionAsync(cut);
            }
        }

        [Fact]
        public async Task The_projects_own_sources_get_no_WSH_diagnostic()
        {
            string src = Path.Combine(AnalyzerCatalog.RepositoryRoot(), "src");
            ImmutableArray<MetadataReference> references = (await AnalyzerRunner.ReferencesAsync())
                .AddRange(new[]
                {
                    typeof(Compilation).Assembly,
                    typeof(CSharpCompilation).Assembly,
                    typeof(Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider).Assembly,
                    typeof(Microsoft.CodeAnalysis.CSharp.Formatting.CSharpFormattingOptions).Assembly,
                }.Select(a => (MetadataReference)MetadataReference.CreateFromFile(a.Location)));

            int projects = 0;
            foreach (string project in Directory.GetFiles(src, "*.csproj", SearchOption.AllDirectories))
            {
                string folder = Path.GetDirectoryName(project)!;
                var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
                    .Where(f => !IsUnder(f, folder, "bin") && !IsUnder(f, folder, "obj"))
                    .OrderBy(f => f, StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    continue;
                }

                var parseOptions = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: new[] { "NET", "NET8_0", "NET8_0_OR_GREATER", "NETCOREAPP" });
                var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, path: f));
                CSharpCompilation compilation = CSharpCompilation.Create(
                    Path.GetFileNameWithoutExtension(project),
                    trees,
                    references,
                    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

                (ImmutableArray<Diagnostic> diagnostics, IReadOnlyCollection<string> exceptions) = await RunAllAsync(compilation);
                Assert.Empty(exceptions);
                Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("WSH", StringComparison.Ordinal)).Select(d => d.ToString()));
                projects++;
            }

            // src/Runtime at least (it holds HandoffWebSocket, the code the analyzers know best).
            Assert.True(projects >= 1, "no source project found under " + src);
            Assert.True(File.Exists(Path.Combine(src, "Runtime", "HandoffWebSocket.cs")));
        }

        private static bool IsUnder(string file, string folder, string child) =>
            file.StartsWith(Path.Combine(folder, child) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

        private static async Task AssertNoAnalyzerExceptionAsync(string source)
        {
            CSharpCompilation compilation = await AnalyzerRunner.CompileAsync(source);
            (ImmutableArray<Diagnostic> diagnostics, IReadOnlyCollection<string> exceptions) = await RunAllAsync(compilation);
            Assert.True(exceptions.Count == 0, "analyzer threw on:\n" + source + "\n\n" + string.Join("\n\n", exceptions));
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        }

        private static async Task<(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyCollection<string> Exceptions)> RunAllAsync(Compilation compilation)
        {
            var exceptions = new ConcurrentQueue<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, _) => exceptions.Enqueue(analyzer.GetType().Name + ": " + exception),
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: false);
            var withAnalyzers = new CompilationWithAnalyzers(compilation, AnalyzerCatalog.CreateAnalyzers(), options);
            ImmutableArray<Diagnostic> diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            return (diagnostics, exceptions);
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using WebSocketHandoff.Analyzers.Flow;
using WebSocketHandoff.Analyzers.Tests.Rules;

namespace WebSocketHandoff.Analyzers.Tests
{
    /// <summary>
    /// The screen that lets the flow analysis skip a member without building its graph must never skip a member the
    /// full analysis has something to say about. Each case is analyzed twice, with and without the screen, and the
    /// findings must be the same; the cases are the shapes where source order and execution order part (loops, goto,
    /// lambdas, local functions, finally), copies of the WebSocket or transport, and transports the analysis follows
    /// into other members. The screen must also actually settle the ordinary shapes, or it saves nothing.
    /// </summary>
    public class QuietMemberScreenTests
    {
        private const string Helpers = @"
    static async Task SwitchAsync(HandoffWebSocket ws, CancellationToken ct)
    {
        var raw = await ws.DetachAsync(ct);
        await raw.FlushAsync(ct);
    }

    static bool TryOpen(out Stream stream) { stream = Stream.Null; return true; }
    static Stream Open() => Stream.Null;
";

        /// <summary>Members the full analysis reports something in: the screen must hand each to it.</summary>
        public static TheoryData<string, string> Reported() => new TheoryData<string, string>
        {
            { "raw use after the creation", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await stream.ReadAsync(b, ct);
    }" },
            { "raw use before the creation in a loop around it", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        WebSocket? ws = null;
        for (var i = 0; i < 2; i++)
        {
            await stream.ReadAsync(b, ct);
            ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        }
    }" },
            { "raw use in a for increment", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        for (var i = 0; i < 2; i++, stream.Flush())
        {
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
            await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
        }
    }" },
            { "raw use before the creation, reached again by goto", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var n = 0;
    again:
        await stream.ReadAsync(b, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        if (n++ < 2) goto again;
    }" },
            { "raw use in a lambda created after the creation", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        Func<Task<int>> read = () => stream.ReadAsync(b, 0, b.Length, ct);
        await read();
    }" },
            { "raw use in a local function called after the creation", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await Read();
        Task<int> Read() => stream.ReadAsync(b, 0, b.Length, ct);
    }" },
            { "raw use of what the transport wraps", @"
    async Task M(NetworkStream inner, byte[] b, CancellationToken ct)
    {
        var tls = new SslStream(inner);
        var ws = WebSocket.CreateFromStream(tls, true, null, TimeSpan.FromSeconds(5));
        await inner.WriteAsync(b, ct);
    }" },
            { "raw use of the TcpClient's socket", @"
    void M(TcpClient client, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(client.GetStream(), true, null, TimeSpan.FromSeconds(5));
        client.Client.Send(b);
    }" },
            { "transport from an out variable", @"
    void M(byte[] b)
    {
        if (!TryOpen(out var s)) return;
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
        s.Write(b, 0, b.Length);
    }" },
            { "transport from a pattern in a switch", @"
    void M(object o, byte[] b)
    {
        switch (o)
        {
            case Stream s:
                var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
                s.Write(b, 0, b.Length);
                break;
        }
    }" },
            { "transport from a foreach variable", @"
    void M(Stream[] streams, byte[] b)
    {
        foreach (var s in streams)
        {
            var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
            s.Write(b, 0, b.Length);
        }
    }" },
            { "transport held in a field, used raw in another member", @"
    private Stream _stream = Stream.Null;
    private WebSocket? _ws;
    void Start() => _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.FromSeconds(5));
    void Raw(byte[] b) => _stream.Write(b, 0, b.Length);" },
            { "transport stored into a field after the creation", @"
    private Stream _saved = Stream.Null;
    void Start(Stream stream)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        _saved = stream;
    }
    void Raw(byte[] b) => _saved.Write(b, 0, b.Length);" },
            { "send after the detach through a copy", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var copy = ws;
        var raw = await ws.DetachAsync(ct);
        await copy.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "send after the detach through a pattern copy", @"
    async Task M(WebSocket w, CancellationToken ct)
    {
        if (w is HandoffWebSocket ws && ws is HandoffWebSocket h)
        {
            await ws.DetachAsync(ct);
            await h.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
        }
    }" },
            { "send and detach in a loop", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        for (var i = 0; i < 2; i++)
        {
            await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
            await ws.DetachAsync(ct);
        }
    }" },
            { "close in a finally after the detach", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        try
        {
            var raw = await ws.DetachAsync(ct);
        }
        finally
        {
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
    }" },
            { "send after a helper that detaches", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await SwitchAsync(ws, ct);
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "send after the detach on some path", @"
    async Task M(Stream stream, bool now, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (now)
        {
            await ws.DetachAsync(ct);
        }
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "send after the detach of a field, through this.", @"
    private HandoffWebSocket? _ws;
    async Task M(CancellationToken ct)
    {
        var raw = await this._ws!.DetachAsync(ct);
        await _ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "two creations, the second one used raw", @"
    async Task M(Stream a, Stream b, byte[] data, CancellationToken ct)
    {
        var quiet = WebSocket.CreateFromStream(a, true, null, TimeSpan.Zero);
        var loud = WebSocket.CreateFromStream(b, true, null, TimeSpan.FromSeconds(5));
        await b.WriteAsync(data, ct);
    }" },
        };

        /// <summary>Ordinary members: nothing to report, and the screen settles each without a graph.</summary>
        public static TheoryData<string, string> Settled() => new TheoryData<string, string>
        {
            { "server: hand-written handshake, then the WebSocket only", @"
    async Task M(TcpClient client, CancellationToken ct)
    {
        NetworkStream stream = client.GetStream();
        var header = new byte[4096];
        int n = await stream.ReadAsync(header, ct);
        string request = Encoding.ASCII.GetString(header, 0, n);
        string key = request.Split(""\r\n"").First(l => l.StartsWith(""Sec-WebSocket-Key:"")).Substring(18).Trim();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n"" + key), ct);
        using WebSocket ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));
        var buffer = new byte[1024];
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            if (result.MessageType == WebSocketMessageType.Close) break;
            await ws.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, ct);
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }" },
            { "tunnel: receive until agreed, detach, copy raw", @"
    async Task M(Stream transport, Stream target, CancellationToken ct)
    {
        HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = false });
        var buffer = new byte[1024];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            if (result.MessageType == WebSocketMessageType.Close) return;
        }
        while (!result.EndOfMessage);
        Stream raw = await ws.DetachAsync(ct);
        Task up = raw.CopyToAsync(target, ct);
        await target.CopyToAsync(raw, ct);
        await up;
    }" },
            { "upgrade: the last message and the detach in one call", @"
    async Task<Stream> M(Stream transport, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(transport, isServer: true, subProtocol: ""tunnel"", keepAliveInterval: TimeSpan.FromSeconds(30));
        var hello = await ws.ReceiveAsync(new byte[64].AsMemory(), ct);
        if (!hello.EndOfMessage) throw new InvalidDataException();
        return await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes(""switch""), WebSocketMessageType.Text, ct);
    }" },
            { "the transport disposed by a using at the end", @"
    async Task M(TcpClient client, CancellationToken ct)
    {
        using var stream = client.GetStream();
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
        };

        [Theory]
        [MemberData(nameof(Reported))]
        public async Task Members_with_findings_reach_the_full_analysis(string shape, string members)
        {
            var (withScreen, without, quiet) = await AnalyzeAsync(members);

            Assert.True(without.Count > 0, $"{shape}: the case must have a finding to test anything");
            Assert.Equal(without, withScreen);
            Assert.DoesNotContain("M", quiet);
        }

        [Theory]
        [MemberData(nameof(Settled))]
        public async Task Ordinary_members_are_settled_without_a_graph(string shape, string members)
        {
            var (withScreen, without, quiet) = await AnalyzeAsync(members);

            Assert.Empty(without);
            Assert.Empty(withScreen);
            Assert.True(quiet.Contains("M"), $"{shape}: the screen should settle this member");
        }

        [Fact]
        public async Task A_lambda_made_before_the_creation_is_handed_to_the_analysis_and_both_agree()
        {
            // The analysis counts lambdas created after the creation only; the screen cannot tell and does not guess.
            var (withScreen, without, quiet) = await AnalyzeAsync(@"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        Func<Task<int>> read = () => stream.ReadAsync(b, 0, b.Length, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await read();
    }");

            Assert.Equal(without, withScreen);
            Assert.DoesNotContain("M", quiet);
        }

        /// <summary>Findings with and without the screen, and the members the screen settles.</summary>
        private static async Task<(List<string> WithScreen, List<string> Without, HashSet<string> Quiet)> AnalyzeAsync(string members)
        {
            var source = WSH001Tests.Usings + "using System.Linq;\nclass C\n{\n" + Helpers + members + "\n}\n";
            var compilation = await AnalyzerRunner.CompileAsync(source);
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));

            var types = HandoffTypes.TryCreate(compilation)!;
            var tree = compilation.SyntaxTrees.Single();
            var model = compilation.GetSemanticModel(tree);
            var type = compilation.GetTypeByMetadataName("C")!;
            var bodies = new List<MemberBody>();
            var quiet = new HashSet<string>();
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (model.GetOperation(declaration) is IMethodBodyOperation body)
                {
                    bodies.Add(new MemberBody(model.GetDeclaredSymbol(declaration)!, body));
                    if (TextPrecheck.MemberMayHandoff(declaration) && QuietMemberScreen.IsQuiet(body, types))
                    {
                        quiet.Add(declaration.Identifier.ValueText);
                    }
                }
            }

            var withScreen = Findings(HandoffAnalysis.Analyze(new TypeFlowContext(types, type, CancellationToken.None), bodies, screen: true));
            var without = Findings(HandoffAnalysis.Analyze(new TypeFlowContext(types, type, CancellationToken.None), bodies, screen: false));
            return (withScreen, without, quiet);
        }

        /// <summary>What the four flow rules report from an analysis: kind and place of each finding.</summary>
        private static List<string> Findings(HandoffAnalysis analysis)
        {
            var findings = new List<string>();
            foreach (var creation in analysis.Creations)
            {
                findings.AddRange(creation.LiveRawUses.Select(u => "raw use " + u.Event.Syntax));
                findings.AddRange(creation.Closes.Where(creation.IsReportedClose).Select(c => "close " + c.Event.Syntax));
            }

            foreach (var detach in analysis.Detaches)
            {
                findings.AddRange(detach.SendsAfter.Select(s => "used after detach " + s.Event.Syntax));
                findings.AddRange(detach.ClosesAfter.Select(c => "closed after detach " + c.Event.Syntax));
            }

            findings.Sort(System.StringComparer.Ordinal);
            return findings;
        }
    }
}

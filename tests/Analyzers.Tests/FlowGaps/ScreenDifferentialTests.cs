using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using WebSocketHandoff.Analyzers.Flow;
using WebSocketHandoff.Analyzers.Tests.Rules;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// The shapes the engine follows since copies of the transport, delegate locals and detaches in local functions are
    /// followed: each is analyzed with and without <see cref="QuietMemberScreen"/>, and the findings must be the same
    /// (the screen must hand every such member to the full analysis). Ordinary members with a copy made and used only
    /// before the creation must still be settled by the screen.
    /// </summary>
    public class ScreenDifferentialTests
    {
        public static TheoryData<string, string> Reported() => new TheoryData<string, string>
        {
            { "a copy of the transport made after the creation", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        var s2 = stream;
        await s2.WriteAsync(b, ct);
    }" },
            { "a copy made before the creation, used after it", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        Stream raw = stream;
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await raw.ReadAsync(b, ct);
    }" },
            { "the socket of a NetworkStream read into a local before the creation", @"
    void M(NetworkStream stream, byte[] b)
    {
        var socket = stream.Socket;
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        socket.Send(b);
    }" },
            { "a copy of a copy", @"
    void M(Stream stream, byte[] b)
    {
        var a = stream;
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        var c = a;
        c.Flush();
    }" },
            { "a lambda made before the creation, called through its local after it", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        Func<Task> flush = () => stream.FlushAsync(ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await flush();
    }" },
            { "a send after an awaited local function that detaches", @"
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var raw = await Local();
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
        async Task<Stream> Local() => await ws.DetachAsync(ct);
    }" },
            { "a send after a lambda called through its local that detaches", @"
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        Func<ValueTask<Stream>> go = () => ws.DetachAsync(ct);
        await go();
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }" },
            { "a send in a member that only calls the type's detaching helper", @"
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        await SwitchAsync(ws, ct);
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }" },
            { "a send on a field after a method of the type that detaches the field", @"
    async Task M(byte[] b, CancellationToken ct)
    {
        await UpgradeAsync(ct);
        await _ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }" },
            { "a send on a field after a method of the type that detaches this._ws", @"
    async Task M(byte[] b, CancellationToken ct)
    {
        await UpgradeThisAsync(ct);
        await this._ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }" },
            { "a case pattern of a switch on the transport", @"
    void M(Stream stream, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        switch (stream)
        {
            case NetworkStream network:
                network.Socket.Send(b);
                break;
        }
    }" },
            { "a send after an awaited Task.Run whose lambda detaches", @"
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        await Task.Run(async () => await ws.DetachAsync(ct));
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }" },
            { "a type pattern on the transport", @"
    void M(Stream stream, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        if (stream is NetworkStream network) network.Socket.Send(b);
    }" },
            { "a close in a lambda created after a raw use", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await stream.WriteAsync(b, ct);
        Func<Task> close = () => ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        await close();
    }" },
            { "a close in a local function called after a raw use", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await stream.WriteAsync(b, ct);
        await Shutdown();
        Task Shutdown() => ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }" },
        };

        public static TheoryData<string, string> Settled() => new TheoryData<string, string>
        {
            { "a copy of the transport used for the handshake only", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var handshake = stream;
        await handshake.ReadAsync(b, ct);
        await handshake.WriteAsync(b, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }" },
            { "a local read from the transport before the creation (not a copy)", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var n = await stream.ReadAsync(b, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await ws.SendAsync(b.AsMemory(0, n), WebSocketMessageType.Binary, true, ct);
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

        [Fact]
        public async Task A_member_the_screen_would_settle_that_calls_a_field_detaching_helper_is_analyzed_in_full()
        {
            // The screen sees no detach in `UpgradeAsync(ct)` (it cannot know the method detaches the field) and would
            // settle M; the analysis does not ask it for a member that names a detaching helper of the type.
            var (withScreen, without, quiet) = await AnalyzeAsync(@"
    async Task M(Stream other, byte[] b, CancellationToken ct)
    {
        var second = HandoffWebSocket.CreateFromStream(other, true, null, TimeSpan.Zero);
        await second.DetachAsync(ct);
        await UpgradeAsync(ct);
        await _ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }");

            Assert.Contains("M", quiet);
            Assert.NotEmpty(without);
            Assert.Equal(without, withScreen);
        }

        [Fact]
        public async Task A_member_the_screen_would_settle_that_calls_a_this_field_detaching_helper_is_analyzed_in_full()
        {
            // As above, with the helper spelling the field `this._ws`.
            var (withScreen, without, quiet) = await AnalyzeAsync(@"
    async Task M(Stream other, byte[] b, CancellationToken ct)
    {
        var second = HandoffWebSocket.CreateFromStream(other, true, null, TimeSpan.Zero);
        await second.DetachAsync(ct);
        await UpgradeThisAsync(ct);
        await _ws.ReceiveAsync(b, ct);
    }");

            Assert.Contains("M", quiet);
            Assert.NotEmpty(without);
            Assert.Equal(without, withScreen);
        }

        [Fact]
        public async Task A_member_calling_a_final_send_method_of_the_type_before_the_detach_reaches_both_analyses()
        {
            // WSH006's new shape: the final send is in a method of the type (SendLastAsync, whose body spells no detach),
            // the call and the detach are in M. The member gate lets M through and the flow screen hands M to the full
            // analysis (the send after the detach is WSH005's); WSH006 reports the call, found from M alone.
            const string members = @"
    Task SendLastAsync(byte[] b, CancellationToken ct) => _ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);

    async Task M(byte[] b, CancellationToken ct)
    {
        await SendLastAsync(b, ct);
        await _ws.DetachAsync(ct);
        await _ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }";
            var (withScreen, without, quiet) = await AnalyzeAsync(members);

            Assert.NotEmpty(without);
            Assert.Equal(without, withScreen);
            Assert.DoesNotContain("M", quiet);

            var source = WSH001Tests.Usings + "class C\n{\n" + Helpers + members + "\n}\n";
            var tree = (await AnalyzerRunner.CompileAsync(source)).SyntaxTrees.Single();
            var methods = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().ToDictionary(m => m.Identifier.ValueText);
            Assert.True(TextPrecheck.MemberMayHandoff(methods["M"]));
            Assert.False(TextPrecheck.MemberMayHandoff(methods["SendLastAsync"]));

            var reported = await AnalyzerRunner.RunAsync(new NonAtomicFinalSendAnalyzer(), source);
            var diagnostic = Assert.Single(reported, d => d.Id == RuleIdentifiers.NonAtomicFinalSend);
            Assert.Equal("SendLastAsync(b, ct)", tree.GetText().ToString(diagnostic.Location.SourceSpan));
        }

        [Theory]
        [MemberData(nameof(Settled))]
        public async Task Ordinary_members_are_still_settled_without_a_graph(string shape, string members)
        {
            var (withScreen, without, quiet) = await AnalyzeAsync(members);

            Assert.Empty(without);
            Assert.Empty(withScreen);
            Assert.True(quiet.Contains("M"), $"{shape}: the screen should settle this member");
        }

        private const string Helpers = @"
    static ValueTask<Stream> SwitchAsync(HandoffWebSocket socket, CancellationToken ct) => socket.DetachAsync(ct);

    HandoffWebSocket _ws = null!;

    async Task UpgradeAsync(CancellationToken ct) => await _ws.DetachAsync(ct);

    async Task UpgradeThisAsync(CancellationToken ct)
    {
        var raw = await this._ws.DetachAsync(ct);
    }
";

        private static async Task<(List<string> WithScreen, List<string> Without, HashSet<string> Quiet)> AnalyzeAsync(string members)
        {
            var source = WSH001Tests.Usings + "class C\n{\n" + Helpers + members + "\n}\n";
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

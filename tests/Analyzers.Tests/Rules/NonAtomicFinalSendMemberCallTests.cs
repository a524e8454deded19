using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.NonAtomicFinalSendAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH006 where the final send is in a method of the same type (declared in the same file) whose call is followed by
    /// the detach: reported at the call. Beside it, the shapes where the method receives after the send, the call is
    /// followed by a receive, or the method belongs to another type stay silent.
    /// </summary>
    public class NonAtomicFinalSendMemberCallTests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        [Fact]
        public Task A_call_of_an_expression_bodied_method_sending_on_the_field_just_before_the_detach_is_reported() => Verify.VerifyAsync(Usings + @"
class Connection
{
    private readonly HandoffWebSocket _ws;
    private readonly CancellationToken _ct;

    public Connection(HandoffWebSocket ws, CancellationToken ct)
    {
        _ws = ws;
        _ct = ct;
    }

    private Task SendTextAsync(string text) =>
        _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _ct);

    public async Task<Stream> UpgradeAsync()
    {
        await {|WSH006:SendTextAsync(""upgrade"")|};
        Console.WriteLine(""switching"");
        return await _ws.DetachAsync(_ct);
    }

    public Stream UpgradeSync()
    {
        {|WSH006:this.SendTextAsync(""upgrade"")|}.Wait();
        return this._ws.Detach();
    }
}");

        [Fact]
        public Task A_call_of_a_block_bodied_method_whose_last_touch_of_the_socket_is_the_send_is_reported() => Verify.VerifyAsync(Usings + @"
class Connection
{
    private HandoffWebSocket Socket { get; } = null!;

    private async Task SendLastAsync(ArraySegment<byte> message, CancellationToken ct)
    {
        Console.WriteLine(Socket.State);
        await Socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, ct).ConfigureAwait(false);
        Console.WriteLine(""sent"");
    }

    public async Task<Stream?> UpgradeAsync(ArraySegment<byte> message, bool upgrade, CancellationToken ct)
    {
        await {|WSH006:SendLastAsync(message, ct)|};
        if (!upgrade)
        {
            return null;
        }

        return await Socket.DetachAsync(ct);
    }
}");

        [Fact]
        public Task A_call_passing_the_socket_to_a_method_of_the_type_that_sends_on_its_parameter_is_reported() => Verify.VerifyAsync(Usings + @"
class Switcher
{
    private static Task SendFinalAsync(HandoffWebSocket socket, ReadOnlyMemory<byte> message, CancellationToken ct) =>
        socket.SendAsync(message, WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage, ct).AsTask();

    public async Task<Stream> SwitchAsync(Stream transport, ReadOnlyMemory<byte> bye, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(transport, true, null, TimeSpan.FromSeconds(30));
        await {|WSH006:SendFinalAsync(ws, bye, ct)|};
        return await ws.DetachAsync(ct);
    }
}");

        [Fact]
        public Task A_method_that_receives_after_the_send_or_a_call_followed_by_a_receive_is_not_reported() => Verify.VerifyAsync(Usings + @"
class Connection
{
    private readonly HandoffWebSocket _ws = null!;
    private readonly ArraySegment<byte> _buffer = new ArraySegment<byte>(new byte[16]);

    private async Task ExchangeAsync(ArraySegment<byte> message, CancellationToken ct)
    {
        await _ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        await _ws.ReceiveAsync(_buffer, ct);
    }

    private Task SendLastAsync(ArraySegment<byte> message, CancellationToken ct) =>
        _ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);

    private Task SendPartAsync(ArraySegment<byte> message, CancellationToken ct) =>
        _ws.SendAsync(message, WebSocketMessageType.Binary, false, ct);

    public async Task<Stream> ReceivesInside(ArraySegment<byte> message, CancellationToken ct)
    {
        await ExchangeAsync(message, ct);
        return await _ws.DetachAsync(ct);
    }

    public async Task<Stream> ReceivesBetween(ArraySegment<byte> message, CancellationToken ct)
    {
        await SendLastAsync(message, ct);
        await _ws.ReceiveAsync(_buffer, ct);
        return await _ws.DetachAsync(ct);
    }

    public async Task<Stream> NotFinal(ArraySegment<byte> message, CancellationToken ct)
    {
        await SendPartAsync(message, ct);
        return await _ws.DetachAsync(ct);
    }

    public async Task<Stream> CalledOnlyAfter(ArraySegment<byte> message, CancellationToken ct)
    {
        var raw = await _ws.DetachAsync(ct);
        await SendLastAsync(message, ct);
        return raw;
    }

    public async Task<Stream> OnAnotherInstance(Connection other, ArraySegment<byte> message, CancellationToken ct)
    {
        await other.SendLastAsync(message, ct);
        return await _ws.DetachAsync(ct);
    }
}");

        [Fact]
        public Task A_method_of_another_type_or_a_socket_passed_that_is_not_the_one_detached_is_not_reported() => Verify.VerifyAsync(Usings + @"
static class Messages
{
    public static Task SendFinalAsync(HandoffWebSocket socket, ArraySegment<byte> message, CancellationToken ct) =>
        socket.SendAsync(message, WebSocketMessageType.Binary, true, ct);
}

class Switcher
{
    private static Task SendFinalAsync(HandoffWebSocket socket, ArraySegment<byte> message, CancellationToken ct) =>
        socket.SendAsync(message, WebSocketMessageType.Binary, true, ct);

    public async Task<Stream> OtherType(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
    {
        await Messages.SendFinalAsync(ws, bye, ct);
        return await ws.DetachAsync(ct);
    }

    public async Task<Stream> OtherSocket(HandoffWebSocket ws, HandoffWebSocket other, ArraySegment<byte> bye, CancellationToken ct)
    {
        await SendFinalAsync(other, bye, ct);
        return await ws.DetachAsync(ct);
    }
}");

        [Theory]
        [InlineData("await SendTextAsync(\"upgrade\"")]
        [InlineData("await SendTextAsync(\"upgrade\"); return await _ws.DetachAsync(")]
        [InlineData("await SendTextAsync(); return await _ws.DetachAsync(_ct);")]
        [InlineData("await SendTextAsync(\"upgrade\", 1); return await _ws.DetachAsync(_ct);")]
        [InlineData("await Missing(\"upgrade\"); return await _ws.DetachAsync(_ct);")]
        public async Task Half_typed_member_calls_throw_in_no_analysis(string body)
        {
            string source = Usings + @"
class Connection
{
    private readonly HandoffWebSocket _ws = null!;
    private readonly CancellationToken _ct;

    private Task SendTextAsync(string text) =>
        _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _ct
    private Task SendTextAsync(string text, int n) =>
        _ws.SendAsync(
    private Task SendTextAsync(string text, int n)

    public async Task<Stream> UpgradeAsync()
    {
        " + body + @"
    }
}";
            var exceptions = new ConcurrentQueue<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, _) => exceptions.Enqueue(exception.ToString()),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false);
            var compilation = await AnalyzerRunner.CompileAsync(source);
            Assert.Contains(compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
            var diagnostics = await new CompilationWithAnalyzers(
                compilation, ImmutableArray.Create<DiagnosticAnalyzer>(new NonAtomicFinalSendAnalyzer()), options)
                .GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            Assert.True(exceptions.IsEmpty, string.Join("\n\n", exceptions));
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        }
    }
}

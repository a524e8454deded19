using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.NonAtomicFinalSendAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    public class WSH006Tests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        [Fact]
        public async Task Awaited_final_send_followed_by_DetachAsync_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Named_endOfMessage_and_ReadOnlyMemory_overload_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task M(HandoffWebSocket ws, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken: ct)|}.ConfigureAwait(false);
        var raw = await ws.DetachAsync(ct).ConfigureAwait(false);
        await raw.WriteAsync(new byte[] { 1 }, ct);
    }
}");
        }

        [Fact]
        public async Task A_constant_true_from_a_const_is_a_final_send()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private const bool Final = true;

    static async Task<Stream> M(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: Final, ct)|};
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Message_flags_with_EndOfMessage_are_a_final_send()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage, ct)|};
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Unawaited_send_followed_by_synchronous_Detach_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static Stream M(HandoffWebSocket ws, ArraySegment<byte> message)
    {
        {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None)|}.GetAwaiter().GetResult();
        Stream raw = ws.Detach();
        return raw;
    }

    static Stream N(HandoffWebSocket ws, ArraySegment<byte> message)
    {
        {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None)|};
        return ws.Detach();
    }

    static async Task<Stream> Discarded(HandoffWebSocket ws, ReadOnlyMemory<byte> message)
    {
        _ = {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None)|};
        return await ws.DetachAsync();
    }
}");
        }

        [Fact]
        public async Task Statements_that_do_not_touch_the_socket_do_not_break_the_pair()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private readonly HandoffWebSocket _ws;
    private readonly TextWriter _log;
    C(HandoffWebSocket ws, TextWriter log) { _ws = ws; _log = log; }

    async Task<Stream> M(byte[] message, CancellationToken ct)
    {
        await {|WSH006:_ws.SendAsync(new ArraySegment<byte>(message), WebSocketMessageType.Binary, true, ct)|};
        _log.WriteLine(""final message sent, state "" + _ws.State);
        await Task.Delay(10, ct);
        {
            var stream = await _ws.DetachAsync(ct);
            return stream;
        }
    }
}");
        }

        [Fact]
        public async Task Detach_inside_a_try_right_after_the_send_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task M(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        try
        {
            using var raw = await ws.DetachAsync(ct);
            await raw.FlushAsync(ct);
        }
        catch (IOException)
        {
        }
    }
}");
        }

        [Fact]
        public async Task Pairs_in_switch_sections_lambdas_and_nested_blocks_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private HandoffWebSocket Socket { get; } = null!;

    async Task<Stream?> M(int command, ArraySegment<byte> message, CancellationToken ct)
    {
        switch (command)
        {
            case 1:
                await {|WSH006:Socket.SendAsync(message, WebSocketMessageType.Text, true, ct)|};
                return await Socket.DetachAsync(ct);
        }

        Func<HandoffWebSocket, Task<Stream>> upgrade = async ws =>
        {
            await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Text, true, ct)|};
            return await ws.DetachAsync(ct);
        };

        if (command == 2)
        {
            await {|WSH006:Socket.SendAsync(message, WebSocketMessageType.Text, true, ct)|};
            await Socket.DetachAsync(ct);
        }

        return null;
    }
}");
        }

        [Fact]
        public async Task Top_level_statements_are_analyzed()
        {
            await Verify.VerifyProgramAsync(@"
using System;
using System.Net.WebSockets;
using System.Threading;
using WebSocketHandoff;

var ws = HandoffWebSocket.CreateFromStream(new System.IO.MemoryStream(), true, null, TimeSpan.FromSeconds(1));
await {|WSH006:ws.SendAsync(new ArraySegment<byte>(new byte[] { 1 }), WebSocketMessageType.Binary, true, CancellationToken.None)|};
var raw = await ws.DetachAsync();
");
        }

        [Fact]
        public async Task Diagnostic_carries_the_detach_location_and_kind()
        {
            await Verify.VerifyAsync(
                Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await {|#0:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        return await {|#1:ws.DetachAsync(ct)|};
    }

    static Stream N(HandoffWebSocket ws, ArraySegment<byte> message)
    {
        {|#2:ws.SendAsync(message, WebSocketMessageType.Binary, true, default)|}.Wait();
        return {|#3:ws.Detach()|};
    }
}",
                Verify.Diagnostic("WSH006").WithLocation(0).WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations),
                Verify.Diagnostic("WSH006").WithLocation(2).WithLocation(3).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

            // Locations are compared above; the property is checked directly.
            var diagnostics = await AnalyzerRunner.RunAsync(new NonAtomicFinalSendAnalyzer(), Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        return await ws.DetachAsync(ct);
    }

    static Stream N(HandoffWebSocket ws, ArraySegment<byte> message)
    {
        ws.SendAsync(message, WebSocketMessageType.Binary, true, default).Wait();
        return ws.Detach();
    }
}");
            Assert.Collection(
                diagnostics,
                d =>
                {
                    Assert.Equal("DetachAsync", d.Properties[Descriptors.PropertyDetachKind]);
                    Assert.Equal("ws.DetachAsync(ct)", d.AdditionalLocations[0].SourceTree!.GetText().ToString(d.AdditionalLocations[0].SourceSpan));
                },
                d =>
                {
                    Assert.Equal("Detach", d.Properties[Descriptors.PropertyDetachKind]);
                    Assert.Equal("ws.Detach()", d.AdditionalLocations[0].SourceTree!.GetText().ToString(d.AdditionalLocations[0].SourceSpan));
                });
        }

        // ---- silent ----

        [Fact]
        public async Task SendAndDetachAsync_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        return await ws.SendAndDetachAsync(message, WebSocketMessageType.Binary, ct);
    }
}");
        }

        [Fact]
        public async Task Send_that_is_not_final_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ReadOnlyMemory<byte> message, bool last, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, false, ct);
        await ws.SendAsync(message, WebSocketMessageType.Binary, last, ct);
        await ws.SendAsync(message, WebSocketMessageType.Binary, WebSocketMessageFlags.None, ct);
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Something_touching_the_socket_between_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> Receive(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        await ws.ReceiveAsync(message, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Send(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        await ws.SendAsync(message, WebSocketMessageType.Binary, false, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Passed(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        await WaitForAck(ws, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> LocalFunction(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        await Ack();
        return await ws.DetachAsync(ct);

        Task Ack() => WaitForAck(ws, ct);
    }

    static Task WaitForAck(WebSocket ws, CancellationToken ct) => Task.CompletedTask;
}");
        }

        [Fact]
        public async Task Calls_that_may_reach_a_socket_field_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private readonly HandoffWebSocket _ws;
    C(HandoffWebSocket ws) { _ws = ws; }

    async Task<Stream> M(ArraySegment<byte> message, CancellationToken ct)
    {
        await _ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        await WaitForAckAsync(ct);
        return await _ws.DetachAsync(ct);
    }

    Task WaitForAckAsync(CancellationToken ct) => _ws.ReceiveAsync(new ArraySegment<byte>(new byte[1]), ct);
}");
        }

        [Fact]
        public async Task Different_instances_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> M(HandoffWebSocket a, HandoffWebSocket b, ArraySegment<byte> message, CancellationToken ct)
    {
        await a.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        return await b.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Detach_in_a_branch_or_after_a_jump_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream?> Branch(HandoffWebSocket ws, ArraySegment<byte> message, bool upgrade, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        if (upgrade)
        {
            return await ws.DetachAsync(ct);
        }

        return null;
    }

    static async Task<Stream?> Jump(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(message, WebSocketMessageType.Binary, true, ct)|};
        if (ct.IsCancellationRequested) return null;
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task BCL_WebSocket_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task M(WebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}");
        }

        [Fact]
        public async Task Generated_code_is_silent()
        {
            await Verify.VerifyAsync(@"// <auto-generated/>
using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;

class C
{
    static async Task<Stream> M(HandoffWebSocket ws, ArraySegment<byte> message, CancellationToken ct)
    {
        await ws.SendAsync(message, WebSocketMessageType.Binary, true, ct);
        return await ws.DetachAsync(ct);
    }
}");
        }
    }
}

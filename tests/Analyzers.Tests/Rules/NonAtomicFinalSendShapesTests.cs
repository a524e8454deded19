using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.NonAtomicFinalSendAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>WSH006 over the shapes real code gives a final send and the detach after it: what is reported, and what is not.</summary>
    public class NonAtomicFinalSendShapesTests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        // ---- the send task kept in a local ----

        [Fact]
        public async Task Stored_send_task_awaited_before_the_detach_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> Segment(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        await t;
        var raw = await ws.DetachAsync(ct);
        return raw;
    }

    static async Task<Stream> Memory(HandoffWebSocket ws, ReadOnlyMemory<byte> msg, CancellationToken ct)
    {
        ValueTask t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        await t.ConfigureAwait(false);
        Console.WriteLine(""switching"");
        return await ws.DetachAsync(ct).ConfigureAwait(false);
    }

    static async Task<Stream> Configured(HandoffWebSocket ws, ReadOnlyMemory<byte> msg, CancellationToken ct)
    {
        var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, ct)|}.ConfigureAwait(false);
        await t;
        return await ws.DetachAsync(ct);
    }

    static Stream Blocking(HandoffWebSocket ws, ArraySegment<byte> msg)
    {
        Task t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, CancellationToken.None)|};
        t.Wait();
        return ws.Detach();
    }
}");
        }

        [Fact]
        public async Task Stored_send_task_awaited_after_the_detach_or_never_is_reported()
        {
            // The detach waits for a send still in flight, but the window between the send's end and the hold remains.
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> After(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        var raw = await ws.DetachAsync(ct);
        await t;
        return raw;
    }

    static async Task<Stream> Never(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> WhenAll(HandoffWebSocket ws, ArraySegment<byte> msg, Task flush, CancellationToken ct)
    {
        var t = {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        await Task.WhenAll(t, flush);
        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Stored_send_task_with_the_socket_touched_before_the_detach_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> Receive(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        await ws.ReceiveAsync(msg, ct);
        await t;
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> OtherSend(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        var u = ws.SendAsync(msg, WebSocketMessageType.Binary, false, ct);
        await Task.WhenAll(t, u);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Other(HandoffWebSocket a, HandoffWebSocket b, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = a.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        await t;
        return await b.DetachAsync(ct);
    }

    static async Task<Stream> NotFinal(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = ws.SendAsync(msg, WebSocketMessageType.Binary, endOfMessage: false, ct);
        await t;
        return await ws.DetachAsync(ct);
    }

}");
        }

        [Fact]
        public async Task Stored_send_task_with_other_uses_is_reported_without_fix_data()
        {
            var diagnostics = await AnalyzerRunner.RunAsync(new NonAtomicFinalSendAnalyzer(), Usings + @"
class C
{
    static async Task<Stream> Awaited(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        await t;
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> After(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var t = ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        var raw = await ws.DetachAsync(ct);
        await t;
        return raw;
    }
}");
            Assert.Collection(
                diagnostics.OrderBy(d => d.Location.SourceSpan.Start),
                d =>
                {
                    Assert.False(d.Properties.ContainsKey(Descriptors.PropertyFixable));
                    Assert.Equal(2, d.AdditionalLocations.Count);
                    Assert.Equal("await t;", d.AdditionalLocations[1].SourceTree!.GetText().ToString(d.AdditionalLocations[1].SourceSpan));
                },
                d =>
                {
                    Assert.Equal("false", d.Properties[Descriptors.PropertyFixable]);
                    Assert.Single(d.AdditionalLocations);
                });
        }

        // ---- send and detach in one expression ----

        [Fact]
        public async Task ContinueWith_whose_continuation_detaches_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static Task<Stream> Expression(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct) =>
        {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|}.ContinueWith(_ => ws.DetachAsync(ct).AsTask(), ct).Unwrap();

    static async Task<Stream> Block(HandoffWebSocket ws, ReadOnlyMemory<byte> msg, CancellationToken ct)
    {
        return await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Text, true, ct)|}.AsTask().ContinueWith(async _ =>
        {
            Console.WriteLine(""switching"");
            return await ws.DetachAsync(ct);
        }, TaskContinuationOptions.OnlyOnRanToCompletion).Unwrap();
    }
}");
        }

        [Fact]
        public async Task ContinueWith_that_does_not_run_after_a_successful_send_or_touches_the_socket_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static Task Faulted(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct) =>
        ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct).ContinueWith(_ => ws.Detach(), TaskContinuationOptions.OnlyOnFaulted);

    static Task Options(HandoffWebSocket ws, ArraySegment<byte> msg, TaskContinuationOptions options) =>
        ws.SendAsync(msg, WebSocketMessageType.Binary, true, default).ContinueWith(_ => ws.Detach(), options);

    static Task Receive(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct) =>
        ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct).ContinueWith(async _ =>
        {
            await ws.ReceiveAsync(msg, ct);
            return await ws.DetachAsync(ct);
        }).Unwrap();

    static Task NotFinal(HandoffWebSocket ws, ArraySegment<byte> msg) =>
        ws.SendAsync(msg, WebSocketMessageType.Binary, false, default).ContinueWith(_ => ws.Detach());

    static Task Argument(HandoffWebSocket ws, ArraySegment<byte> msg) =>
        Task.WhenAll(ws.SendAsync(msg, WebSocketMessageType.Binary, true, default), ws.DetachAsync().AsTask());
}");
        }

        // ---- argument and receiver shapes ----

        [Fact]
        public async Task Argument_shapes_of_a_final_send_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
static class Protocol
{
    public const bool Last = true;
    public const WebSocketMessageFlags Final = WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression;
}

class C
{
    static async Task<Stream> Named(HandoffWebSocket ws, byte[] msg, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(new ArraySegment<byte>(msg), messageType: WebSocketMessageType.Binary, endOfMessage: true, cancellationToken: ct)|};
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Reordered(HandoffWebSocket ws, ReadOnlyMemory<byte> msg, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(cancellationToken: ct, endOfMessage: Protocol.Last, messageType: WebSocketMessageType.Text, buffer: msg)|};
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Flags(HandoffWebSocket ws, ReadOnlyMemory<byte> msg, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, Protocol.Final, ct)|}.ConfigureAwait(false);
        return await ws.DetachAsync(ct).ConfigureAwait(false);
    }

    static async Task<Stream> FlagsDefaultToken(HandoffWebSocket ws, ReadOnlyMemory<byte> msg)
    {
        await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage)|};
        return await ws.DetachAsync();
    }
}");
        }

        [Fact]
        public async Task Field_and_this_qualified_receivers_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private readonly HandoffWebSocket _ws;
    private readonly HandoffWebSocket ws;
    C(HandoffWebSocket a, HandoffWebSocket b) { _ws = a; ws = b; }

    async Task<Stream> Field(ArraySegment<byte> msg, CancellationToken ct)
    {
        await {|WSH006:_ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        return await _ws.DetachAsync(ct);
    }

    async Task<Stream> This(ArraySegment<byte> msg, CancellationToken ct)
    {
        await {|WSH006:this.ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        return await ws.DetachAsync(ct);
    }

    async Task<Stream> Mixed(ArraySegment<byte> msg, CancellationToken ct)
    {
        await _ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        return await ws.DetachAsync(ct);
    }
}");
        }

        // ---- statements around the pair ----

        [Fact]
        public async Task Pairs_inside_using_and_try_and_with_logging_between_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream?> Using(Stream transport, ArraySegment<byte> msg, TextWriter log, CancellationToken ct)
    {
        using (var ws = HandoffWebSocket.CreateFromStream(transport, true, null, TimeSpan.FromSeconds(5)))
        {
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
            await log.WriteLineAsync(""switching to raw bytes"");
            using var scope = new MemoryStream();
            return await ws.DetachAsync(ct);
        }
    }

    static async Task<Stream?> Try(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        try
        {
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
            return await ws.DetachAsync(ct);
        }
        catch (WebSocketException)
        {
            ws.Abort();
            return null;
        }
    }
}");
        }

        [Fact]
        public async Task Send_in_a_branch_try_or_using_with_the_detach_after_it_is_reported()
        {
            // Whenever the send runs, the detach follows with nothing between: the window is there on that path.
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream> Then(HandoffWebSocket ws, ArraySegment<byte> msg, bool last, CancellationToken ct)
    {
        if (last)
        {
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        }
        else
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, false, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> ElseIf(HandoffWebSocket ws, ArraySegment<byte> msg, int kind, CancellationToken ct)
    {
        if (kind == 0)
            Console.WriteLine(""nothing to say"");
        else if (kind == 1)
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Text, true, ct)|};
        else
            await ws.ReceiveAsync(msg, ct);
        Console.WriteLine(""switching"");
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream?> Try(HandoffWebSocket ws, ArraySegment<byte> msg, SemaphoreSlim gate, CancellationToken ct)
    {
        try
        {
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        }
        catch (WebSocketException)
        {
            return null;
        }
        finally
        {
            gate.Release();
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Using(HandoffWebSocket ws, ArraySegment<byte> msg, IDisposable scope, CancellationToken ct)
    {
        using (scope)
        {
            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> Block(HandoffWebSocket ws, CancellationToken ct)
    {
        {
            var bye = new ArraySegment<byte>(new byte[] { 1 });
            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
        }

        return await ws.DetachAsync(ct);
    }
}");
        }

        [Fact]
        public async Task Send_past_a_boundary_is_reported_without_fix_data()
        {
            var diagnostics = await AnalyzerRunner.RunAsync(new NonAtomicFinalSendAnalyzer(), Usings + @"
class C
{
    static async Task<Stream> Then(HandoffWebSocket ws, ArraySegment<byte> msg, bool last, CancellationToken ct)
    {
        if (last)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        }

        return await ws.DetachAsync(ct);
    }
}");
            Diagnostic d = Assert.Single(diagnostics);
            Assert.Equal("false", d.Properties[Descriptors.PropertyFixable]);
            Assert.Equal("DetachAsync", d.Properties[Descriptors.PropertyDetachKind]);
        }

        [Fact]
        public async Task Paths_where_the_detach_does_not_follow_the_send_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static async Task<Stream?> ReturnInBranch(HandoffWebSocket ws, ArraySegment<byte> msg, bool last, CancellationToken ct)
    {
        if (last)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
            return null;
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> FinallyTouches(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        try
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        }
        finally
        {
            await ws.ReceiveAsync(msg, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> UsingDisposesSocket(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        using (ws)
        {
            await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        }

        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> LambdaThenReceive(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        Func<Task> send = async () => await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        await send();
        await ws.ReceiveAsync(msg, ct);
        return await ws.DetachAsync(ct);
    }

    static async Task<Stream> NotFollowing(HandoffWebSocket ws, ArraySegment<byte> msg, CancellationToken ct)
    {
        var raw = await ws.DetachAsync(ct);
        await ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        return raw;
    }
}");
        }

        [Fact]
        public async Task Send_in_a_branch_of_a_field_socket_with_a_member_call_after_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C : IDisposable
{
    private readonly HandoffWebSocket _ws;
    C(HandoffWebSocket ws) { _ws = ws; }

    async Task<Stream> M(ArraySegment<byte> msg, bool last, CancellationToken ct)
    {
        if (last)
        {
            await _ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        }

        await WaitForAckAsync(ct);
        return await _ws.DetachAsync(ct);
    }

    async Task<Stream> N(ArraySegment<byte> msg, CancellationToken ct)
    {
        using (new C(_ws))
        {
            await _ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct);
        }

        return await _ws.DetachAsync(ct);
    }

    Task WaitForAckAsync(CancellationToken ct) => _ws.ReceiveAsync(new ArraySegment<byte>(new byte[1]), ct);

    public void Dispose() => _ws.Dispose();
}");
        }
    }
}

using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.Analyzers.Tests.Review;
using WebSocketHandoff.Analyzers.Tests.Verifiers;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// Two flow gaps found in review. (1) A HandoffWebSocket reports <c>WebSocketState.Closed</c> once detached, so a test of
    /// <c>ws.State</c> against constants guards like <c>IsDetached</c> on the branch Closed does not take
    /// (<c>while (ws.State == WebSocketState.Open)</c>); the other branch says nothing. (2) A finally is left the way it was
    /// entered: a <c>return</c> after a detach inside a <c>try</c> goes to the method's end, not to the code after the
    /// <c>try</c>; an exception goes to the handlers.
    /// </summary>
    public class StateGuardAndFinallyExitTests
    {
        private static Task UseAsync(string code) => HandoffAnalyzerVerifier<UseAfterDetachAnalyzer>.VerifyAsync(ReviewSources.Usings + code);

        private static Task CloseAsync(string code) => HandoffAnalyzerVerifier<CloseDuringHandoffAnalyzer>.VerifyAsync(ReviewSources.Usings + code);

        private static Task RawAsync(string code) => HandoffAnalyzerVerifier<RawTransportUseAnalyzer>.VerifyAsync(ReviewSources.Usings + code);

        [Fact]
        public Task Calls_on_the_branch_a_State_test_takes_for_a_state_other_than_Closed_are_not_reported() => UseAsync("""
            class C
            {
                private HandoffWebSocket _ws = null!;

                async Task Loops(HandoffWebSocket ws, CancellationToken ct)
                {
                    var buf = new byte[8];
                    while (ws.State == WebSocketState.Open)
                    {
                        await ws.ReceiveAsync(buf.AsMemory(), ct);
                        await ws.DetachAsync(ct);
                    }
                    while (ws.State != WebSocketState.Closed && !ct.IsCancellationRequested)
                    {
                        await ws.ReceiveAsync(buf.AsMemory(), ct);
                        await ws.DetachAsync(ct);
                    }
                    while (ws.State is not WebSocketState.Closed)
                    {
                        await ws.ReceiveAsync(buf.AsMemory(), ct);
                        await ws.DetachAsync(ct);
                    }
                    while (WebSocketState.Open == _ws.State)
                    {
                        await _ws.ReceiveAsync(buf.AsMemory(), ct);
                        await _ws.DetachAsync(ct);
                    }
                }

                async Task Branches(HandoffWebSocket ws, CancellationToken ct)
                {
                    await ws.DetachAsync(ct);
                    if (ws.State == WebSocketState.Closed) return;
                    await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
                    if (!(ws.State != WebSocketState.CloseReceived))
                        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
                    if (ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                        await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                }
            }
            """);

        [Fact]
        public Task Calls_on_a_branch_Closed_can_take_or_behind_a_State_test_of_another_socket_are_reported() => UseAsync("""
            class C
            {
                async Task M(HandoffWebSocket ws, HandoffWebSocket other, WebSocketState expected, CancellationToken ct)
                {
                    var raw = await ws.DetachAsync(ct);
                    if (ws.State != WebSocketState.Open)
                        await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                    if (ws.State is WebSocketState.Closed or WebSocketState.Open)
                        await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                    if (ws.State == expected)
                        await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                    if (other.State == WebSocketState.Open)
                        await {|WSH005:ws.ReceiveAsync(new byte[1].AsMemory(), ct)|};
                    if (ws.State == WebSocketState.Closed)
                        await {|WSH005:ws.ReceiveAsync(new byte[1].AsMemory(), ct)|};
                }
            }
            """);

        [Fact]
        public Task A_close_behind_a_State_test_is_silent_after_a_detach_and_reported_after_a_raw_use_of_an_attached_socket() => CloseAsync("""
            class C
            {
                async Task Detached(HandoffWebSocket ws, CancellationToken ct)
                {
                    var raw = await ws.DetachAsync(ct);
                    if (ws.State == WebSocketState.Open)
                        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                }

                async Task RawUsed(Stream stream, CancellationToken ct)
                {
                    var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                    await stream.WriteAsync(new byte[1], ct);
                    if (ws.State == WebSocketState.Open)
                        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                }
            }
            """);

        [Fact]
        public Task A_return_after_a_detach_through_a_finally_does_not_reach_the_statements_after_the_try() => UseAsync("""
            class C
            {
                static void Log() { }

                async Task<Stream?> M(HandoffWebSocket ws, bool upgrade, CancellationToken ct)
                {
                    try
                    {
                        if (upgrade) return await ws.DetachAsync(ct);
                    }
                    finally { Log(); }
                    await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
                    return null;
                }

                async Task<Stream?> Using(HandoffWebSocket ws, SemaphoreSlim gate, bool upgrade, CancellationToken ct)
                {
                    await gate.WaitAsync(ct);
                    using (gate.AvailableWaitHandle)
                    {
                        if (upgrade) return await ws.DetachAsync(ct);
                    }
                    await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
                    return null;
                }
            }
            """);

        [Fact]
        public Task A_detach_that_completes_the_try_or_throws_after_it_still_reaches_the_code_after_the_finally() => UseAsync("""
            class C
            {
                static void Log() { }

                async Task Completes(HandoffWebSocket ws, CancellationToken ct)
                {
                    try { await ws.DetachAsync(ct); }
                    finally { Log(); }
                    await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                }

                async Task Throws(HandoffWebSocket ws, CancellationToken ct)
                {
                    try
                    {
                        try { await ws.DetachAsync(ct); throw new IOException(); }
                        finally { Log(); }
                    }
                    catch (IOException)
                    {
                        await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                    }
                }
            }
            """);

        [Fact]
        public Task A_raw_use_after_a_using_block_whose_body_detached_is_silent_and_one_whose_body_may_throw_first_is_reported_in_the_catch() => RawAsync("""
            class C
            {
                async Task M(Stream stream, Stream sink, CancellationToken ct)
                {
                    Stream raw;
                    using (var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero))
                    {
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        raw = await ws.DetachAsync(ct);
                    }
                    await stream.FlushAsync(ct);
                }

                async Task N(Stream stream, CancellationToken ct)
                {
                    try
                    {
                        using (var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero))
                        {
                            await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                            await ws.DetachAsync(ct);
                        }
                    }
                    catch (WebSocketException)
                    {
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                }
            }
            """);

        private const string TruncationSample = ReviewSources.Usings + """
            class T
            {
                static void Log() { }
                async Task<Stream?> M(Stream stream, HandoffWebSocket h, CancellationToken ct)
                {
                    var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
                    while (h.State == WebSocketState.Open && h.State is not (WebSocketState.Closed or WebSocketState.Aborted))
                    {
                        try { if (h.State != WebSocketState.Closed) return await h.DetachAsync(ct); }
                        finally { try { Log(); } finally { if (ws.State == WebSocketState.Open) await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct); } }
                    }
                    await stream.WriteAsync(new byte[1], ct);
                    return null;
                }
            }
            """;

        [Fact]
        public Task State_tests_and_nested_finally_blocks_as_they_are_typed_never_make_WSH001_throw() =>
            HandoffAnalyzerVerifier<RawTransportUseAnalyzer>.AssertNoExceptionOnTruncationsAsync(TruncationSample, step: 23);

        [Fact]
        public Task State_tests_and_nested_finally_blocks_as_they_are_typed_never_make_WSH002_throw() =>
            HandoffAnalyzerVerifier<CloseDuringHandoffAnalyzer>.AssertNoExceptionOnTruncationsAsync(TruncationSample, step: 23);

        [Fact]
        public Task State_tests_and_nested_finally_blocks_as_they_are_typed_never_make_WSH005_throw() =>
            HandoffAnalyzerVerifier<UseAfterDetachAnalyzer>.AssertNoExceptionOnTruncationsAsync(TruncationSample, step: 23);
    }
}

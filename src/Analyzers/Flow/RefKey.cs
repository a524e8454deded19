using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// The identity of a storage location or value the rules follow: a local, parameter, field or property
    /// (with the chain of the instance it is read from, when that instance is itself a location), or
    /// <c>client.GetStream()</c>. Two reads of the same key see the same object as long as no one assigns it.
    /// </summary>
    internal sealed class RefKey : IEquatable<RefKey>
    {
        public RefKey(ISymbol symbol, RefKey? instance)
        {
            Symbol = symbol;
            Instance = instance;
            IsMemberOfThis = instance == null && (symbol is IFieldSymbol or IPropertySymbol || IsPrimaryConstructorParameter(symbol));
        }

        /// <summary>The local, parameter, field, property, or the <c>GetStream</c> method.</summary>
        public ISymbol Symbol { get; }

        /// <summary>The location the member is read from; null for <c>this</c>, static members, locals and parameters.</summary>
        public RefKey? Instance { get; }

        /// <summary>
        /// True for a field or property of <c>this</c> (or a static one), or a parameter of a primary constructor (C# 12
        /// <c>class Tunnel(NetworkStream stream)</c>: captured, it lives as long as the object): visible from other members of the type.
        /// </summary>
        public bool IsMemberOfThis { get; }

        public bool IsLocal => Instance == null && Symbol is ILocalSymbol;

        private static bool IsPrimaryConstructorParameter(ISymbol symbol)
        {
            if (!(symbol is IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor }))
            {
                return false;
            }

            // A primary constructor is declared by the type declaration itself (class, struct or record with a parameter list).
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax)
                {
                    return true;
                }
            }

            return false;
        }

        public static RefKey? Of(IOperation? operation, FlowCaptures? captures = null)
        {
            for (var depth = 0; operation != null && depth < 16; depth++)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        continue;
                    case IFlowCaptureReferenceOperation captureReference:
                        operation = captures?.Resolve(captureReference);
                        continue;
                    case ILocalReferenceOperation local:
                        return new RefKey(local.Local, null);
                    case IParameterReferenceOperation parameter:
                        return new RefKey(parameter.Parameter, null);
                    case IFieldReferenceOperation field:
                        return MemberKey(field.Field, field.Instance, captures);
                    case IPropertyReferenceOperation property when property.Arguments.Length == 0:
                        return MemberKey(property.Property, property.Instance, captures);
                    case IInvocationOperation invocation
                        when invocation.TargetMethod.Name == "GetStream" && invocation.Arguments.Length == 0 && invocation.Instance != null:
                        return MemberKey(invocation.TargetMethod, invocation.Instance, captures);
                    default:
                        return null;
                }
            }

            return null;
        }

        private static RefKey? MemberKey(ISymbol member, IOperation? instance, FlowCaptures? captures)
        {
            if (member.IsStatic || instance == null || instance is IInstanceReferenceOperation)
            {
                return new RefKey(member, null);
            }

            var instanceKey = Of(instance, captures);
            return instanceKey == null ? null : new RefKey(member, instanceKey);
        }

        public bool Equals(RefKey? other) =>
            other != null
            && SymbolEqualityComparer.Default.Equals(Symbol.OriginalDefinition, other.Symbol.OriginalDefinition)
            && (Instance == null ? other.Instance == null : Instance.Equals(other.Instance));

        public override bool Equals(object? obj) => Equals(obj as RefKey);

        public override int GetHashCode() =>
            (SymbolEqualityComparer.Default.GetHashCode(Symbol.OriginalDefinition) * 31) + (Instance?.GetHashCode() ?? 0);

        public override string ToString() => Instance == null ? Symbol.Name : Instance + "." + Symbol.Name;
    }
}

